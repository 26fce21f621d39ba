import { httpHandler, json } from '../http/handler.ts';
import type { VerifyCallerBody } from '../http/schemas.ts';
import { type CallerIdentity, verifyCaller } from '../use-cases/support.ts';
import type * as z from '../validation/zod.ts';

export const handler = httpHandler<z.infer<typeof VerifyCallerBody>>('verifyCaller', async (req, deps) => {
  const agent = req.auth.principal.email ?? req.auth.principal.sub;
  const caller = req.body as CallerIdentity;
  return json(200, await verifyCaller(deps, req.tenantId as string, agent, caller, req.receivedAt));
});
