import type { Contact } from '../domain/contact.ts';
import { httpHandler, json } from '../http/handler.ts';
import type { ChangeDeadlineBody } from '../http/schemas.ts';
import { changeGrantDeadline } from '../use-cases/grants.ts';
import type * as z from '../validation/zod.ts';
import { schedulingDeps } from '../wiring/scheduling.ts';

export const handler = httpHandler<z.infer<typeof ChangeDeadlineBody>>(
  'changeGrantDeadline',
  async (req, deps) => {
    const grantId = req.params.grantId as string;
    const grant = await changeGrantDeadline(
      deps,
      req.tenantId as string,
      grantId,
      req.auth.contact as Contact,
      req.body,
      req.receivedAt,
    );
    return json(200, grant);
  },
  schedulingDeps,
);
