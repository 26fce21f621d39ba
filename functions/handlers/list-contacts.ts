import { httpHandler, json } from '../http/handler.ts';
import { listContacts } from '../use-cases/contacts.ts';

export const handler = httpHandler('listContacts', async (req, deps) =>
  json(200, await listContacts(deps, req.tenantId)),
);
