import { publicEvent } from '../domain/audit.ts';
import { httpHandler, json } from '../http/handler.ts';
import type { PageQuery } from '../http/schemas.ts';
import { listAudit } from '../use-cases/support.ts';
import type * as z from '../validation/zod.ts';

export const handler = httpHandler<unknown, z.infer<typeof PageQuery>>('listAudit', async (req, deps) => {
  const page = await listAudit(deps, req.tenantId as string, {
    limit: req.query.limit ?? 50,
    cursor: req.query.cursor,
  });
  return json(200, { events: page.items.map(publicEvent), nextCursor: page.nextCursor });
});
