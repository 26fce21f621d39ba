import { httpHandler, json } from '../http/handler.ts';
import { listGrants } from '../use-cases/grants.ts';

export const handler = httpHandler('listGrants', async (req, deps) => {
  const page = await listGrants(
    deps,
    req.tenantId,
    { limit: req.query.limit ?? 50, cursor: req.query.cursor },
    req.query.status,
    req.receivedAt,
  );
  return json(200, { grants: page.items, nextCursor: page.nextCursor });
});
