import { httpHandler, json } from '../http/handler.ts';
import { rotateWebhookSecret } from '../use-cases/webhooks.ts';
import { webhookDeps } from '../wiring/webhooks.ts';

export const handler = httpHandler('rotateWebhookSecret', async (req) => {
  const actor = req.auth.principal.email ?? req.auth.principal.sub;
  return json(
    200,
    await rotateWebhookSecret(webhookDeps(), req.tenantId, req.params.webhookId, actor, req.receivedAt),
  );
});
