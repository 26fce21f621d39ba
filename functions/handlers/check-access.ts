import { httpHandler, json } from '../http/handler.ts';
import { checkAccess } from '../use-cases/support.ts';

export const handler = httpHandler('checkAccess', async (req, deps) => {
  const agent = req.auth.principal.email ?? req.auth.principal.sub;
  return json(200, await checkAccess(deps, req.tenantId, agent));
});
