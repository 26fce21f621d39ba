import { httpHandler, json } from '../http/handler.ts';
import { listInstructions } from '../use-cases/instructions.ts';

export const handler = httpHandler('listInstructions', async (req, deps) => {
  const page = await listInstructions(
    deps,
    req.tenantId,
    { limit: req.query.limit ?? 50, cursor: req.query.cursor },
    req.receivedAt,
  );
  return json(200, { instructions: page.items, nextCursor: page.nextCursor });
});
