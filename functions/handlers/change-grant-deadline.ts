import { httpHandler, json } from '../http/handler.ts';
import { changeGrantDeadline } from '../use-cases/grants.ts';
import { schedulingDeps } from '../wiring/scheduling.ts';

export const handler = httpHandler(
  'changeGrantDeadline',
  async (req, deps) =>
    json(
      200,
      await changeGrantDeadline(
        deps,
        req.tenantId,
        req.params.grantId,
        req.auth.contact,
        req.body,
        req.receivedAt,
      ),
    ),
  schedulingDeps,
);
