import { publicEvent } from '../domain/audit.ts';
import { httpHandler, json } from '../http/handler.ts';
import { listAudit } from '../use-cases/support.ts';

export const handler = httpHandler('listAudit', async (req, deps) => {
  const page = await listAudit(deps, req.tenantId, {
    limit: req.query.limit ?? 50,
    cursor: req.query.cursor,
  });
  return json(200, { events: page.items.map(publicEvent), nextCursor: page.nextCursor });
});
