import { httpHandler, json } from '../http/handler.ts';
import { listActiveGrants } from '../use-cases/support.ts';

export const handler = httpHandler('listActiveGrants', async (req, deps) => {
  const page = await listActiveGrants(
    deps,
    { limit: req.query.limit ?? 50, cursor: req.query.cursor },
    deps.clock.now(),
  );
  return json(200, { grants: page.items, nextCursor: page.nextCursor });
});
