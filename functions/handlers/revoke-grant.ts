import type { Contact } from '../domain/contact.ts';
import { httpHandler, json } from '../http/handler.ts';
import { revokeGrant } from '../use-cases/grants.ts';
import { schedulingDeps } from '../wiring/scheduling.ts';

export const handler = httpHandler(
  'revokeGrant',
  async (req, deps) => {
    const grantId = req.params.grantId as string;
    const grant = await revokeGrant(
      deps,
      req.tenantId as string,
      grantId,
      req.auth.contact as Contact,
      req.receivedAt,
    );
    return json(200, grant);
  },
  schedulingDeps,
);
