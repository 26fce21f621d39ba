import { httpHandler, json } from '../http/handler.ts';
import { verifyCaller } from '../use-cases/support.ts';

export const handler = httpHandler('verifyCaller', async (req, deps) => {
  const agent = req.auth.principal.email ?? req.auth.principal.sub;
  return json(200, await verifyCaller(deps, req.tenantId, agent, req.body, req.receivedAt));
});
