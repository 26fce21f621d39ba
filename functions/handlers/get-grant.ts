import { httpHandler, json } from '../http/handler.ts';
import { getGrant } from '../use-cases/grants.ts';

export const handler = httpHandler('getGrant', async (req, deps) =>
  json(200, await getGrant(deps, req.tenantId, req.params.grantId, deps.clock.now())),
);
