import { httpHandler, json } from '../http/handler.ts';
import type { GrantListQuery } from '../http/schemas.ts';
import { listGrants } from '../use-cases/grants.ts';
import type * as z from '../validation/zod.ts';

export const handler = httpHandler<unknown, z.infer<typeof GrantListQuery>>(
  'listGrants',
  async (req, deps) => {
    const page = await listGrants(
      deps,
      req.tenantId as string,
      { limit: req.query.limit ?? 50, cursor: req.query.cursor },
      req.query.status,
      req.receivedAt,
    );
    return json(200, { grants: page.items, nextCursor: page.nextCursor });
  },
);
