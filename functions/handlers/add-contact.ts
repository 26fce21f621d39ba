import { httpHandler, json } from '../http/handler.ts';
import { addContact } from '../use-cases/contacts.ts';

export const handler = httpHandler('addContact', async (req, deps) => {
  const actor = req.auth.principal.email ?? req.auth.principal.sub;
  return json(201, await addContact(deps, req.tenantId, actor, req.body, req.receivedAt));
});
