import { httpHandler, json } from '../http/handler.ts';
import { addWebhook } from '../use-cases/webhooks.ts';
import { webhookDeps } from '../wiring/webhooks.ts';

export const handler = httpHandler('addWebhook', async (req) => {
  const actor = req.auth.principal.email ?? req.auth.principal.sub;
  return json(201, await addWebhook(webhookDeps(), req.tenantId, actor, req.body, req.receivedAt));
});
