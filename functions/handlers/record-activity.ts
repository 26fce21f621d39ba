import { httpHandler, json } from '../http/handler.ts';
import { recordActivity } from '../use-cases/audit.ts';

export const handler = httpHandler('recordActivity', async (req, deps) => {
  const agent = req.auth.principal.email ?? req.auth.principal.sub;
  return json(201, await recordActivity(deps, req.tenantId, agent, req.body));
});
