import type { Contact } from '../domain/contact.ts';
import { NotFoundError } from '../domain/errors.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import { httpHandler, json } from '../http/handler.ts';
import { schedulingDeps } from '../scheduling-wiring.ts';
import { revokeGrant } from '../use-cases/grants.ts';

export const handler = httpHandler(
  'revokeGrant',
  async (req, deps) => {
    const grantId = req.params.grantId ?? '';
    if (!ID_PATTERN.test(grantId)) throw new NotFoundError('Grant');
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
