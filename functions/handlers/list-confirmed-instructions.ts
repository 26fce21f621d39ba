import { httpHandler, json } from '../http/handler.ts';
import { listConfirmedInstructions } from '../use-cases/instructions.ts';

export const handler = httpHandler('listConfirmedInstructions', async (req, deps) => {
  const page = await listConfirmedInstructions(deps, {
    limit: req.query.limit ?? 50,
    cursor: req.query.cursor,
  });
  return json(200, { instructions: page.items, nextCursor: page.nextCursor });
});
