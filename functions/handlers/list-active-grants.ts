import { httpHandler, json } from '../http/handler.ts';
import type { PageQuery } from '../http/schemas.ts';
import type * as z from '../http/zod.ts';
import { listActiveGrants } from '../use-cases/support.ts';

export const handler = httpHandler<unknown, z.infer<typeof PageQuery>>(
  'listActiveGrants',
  async (req, deps) => {
    const page = await listActiveGrants(
      deps,
      { limit: req.query.limit ?? 50, cursor: req.query.cursor },
      deps.clock.now(),
    );
    return json(200, { grants: page.items, nextCursor: page.nextCursor });
  },
);
