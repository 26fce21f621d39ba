import { ValidationError } from '../domain/errors.ts';
import { httpHandler, json } from '../http/handler.ts';
import { createGrant } from '../use-cases/grants.ts';
import { schedulingDeps } from '../wiring/scheduling.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export const handler = httpHandler(
  'createGrant',
  async (req, deps) => {
    const tenantId = req.tenantId;
    const key = req.headers['idempotency-key'];
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw ValidationError.field(
        'Idempotency-Key',
        'Idempotency-Key must be 1–255 visible ASCII characters.',
      );
    }
    const idempotency =
      key === undefined
        ? undefined
        : { scope: `${req.auth.principal.sub}#${key}`, fingerprint: { tenantId, body: req.body } };
    const { grant, replayed } = await createGrant(
      deps,
      tenantId,
      req.auth.contact,
      req.body,
      req.receivedAt,
      idempotency,
    );
    return json(201, grant, {
      location: `/tenants/${tenantId}/grants/${grant.grantId}`,
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    });
  },
  schedulingDeps,
);
