import { httpHandler, json } from '../http/handler.ts';
import type { PageQuery } from '../http/schemas.ts';
import { listActiveGrants } from '../use-cases/support.ts';
import type * as z from '../validation/zod.ts';

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
