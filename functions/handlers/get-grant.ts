import { httpHandler, json } from '../http/handler.ts';
import { getGrant } from '../use-cases/grants.ts';

export const handler = httpHandler('getGrant', async (req, deps) => {
  const grantId = req.params.grantId as string;
  return json(200, await getGrant(deps, req.tenantId as string, grantId, deps.clock.now()));
});
