import { httpHandler } from '../http/handler.ts';
import { exportAudit } from '../use-cases/audit.ts';

/** At most this many events per response (and at most EXPORT_PAGE_BYTES). */
export const EXPORT_PAGE = 1000;

/**
 * The chained audit log as NDJSON, oldest first. Paged (header `x-next-cursor`, and a `link`
 * to the next page) by count and by bytes, so a log of any length, of events of any size, is
 * exported in answers Lambda can carry.
 */
export const handler = httpHandler('exportAudit', async (req, deps) => {
  const page = await exportAudit(deps, req.tenantId, { limit: EXPORT_PAGE, cursor: req.query.cursor });
  const headers: Record<string, string> = {
    'content-type': 'application/x-ndjson',
    'content-disposition': `attachment; filename="audit-${req.tenantId}.ndjson"`,
  };
  if (page.nextCursor) {
    headers['x-next-cursor'] = page.nextCursor;
    headers.link = `</tenants/${req.tenantId}/audit/export?cursor=${encodeURIComponent(page.nextCursor)}>; rel="next"`;
  }
  return { status: 200, headers, raw: page.ndjson };
});
