import { httpHandler, json } from '../http/handler.ts';
import type { AddContactBody } from '../http/schemas.ts';
import { type AddContactInput, addContact } from '../use-cases/contacts.ts';
import type * as z from '../validation/zod.ts';

export const handler = httpHandler<z.infer<typeof AddContactBody>>('addContact', async (req, deps) => {
  const actor = req.auth.principal.email ?? req.auth.principal.sub;
  const contact = await addContact(
    deps,
    req.tenantId as string,
    actor,
    req.body as AddContactInput,
    req.receivedAt,
  );
  return json(201, contact);
});
