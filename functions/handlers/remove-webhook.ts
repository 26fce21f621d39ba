import { httpHandler, json } from '../http/handler.ts';
import { removeWebhook } from '../use-cases/webhooks.ts';
import { webhookDeps } from '../wiring/webhooks.ts';

export const handler = httpHandler('removeWebhook', async (req) => {
  const actor = req.auth.principal.email ?? req.auth.principal.sub;
  await removeWebhook(webhookDeps(), req.tenantId, req.params.webhookId, actor, req.receivedAt);
  return json(204);
});
