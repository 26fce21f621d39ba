import { httpHandler, json } from '../http/handler.ts';
import { revokeGrant } from '../use-cases/grants.ts';
import { schedulingDeps } from '../wiring/scheduling.ts';

export const handler = httpHandler(
  'revokeGrant',
  async (req, deps) =>
    json(200, await revokeGrant(deps, req.tenantId, req.params.grantId, req.auth.contact, req.receivedAt)),
  schedulingDeps,
);
