import { httpHandler, json } from '../http/handler.ts';
import { removeContact } from '../use-cases/contacts.ts';
import { schedulingDeps } from '../wiring/scheduling.ts';

export const handler = httpHandler(
  'removeContact',
  async (req, deps) => {
    const actor = req.auth.principal.email ?? req.auth.principal.sub;
    await removeContact(deps, req.tenantId, req.params.contactId, actor, req.receivedAt);
    return json(204);
  },
  schedulingDeps,
);
