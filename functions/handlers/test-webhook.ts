import { httpHandler, json } from '../http/handler.ts';
import { testWebhook } from '../use-cases/webhooks.ts';
import { webhookDeps } from '../wiring/webhooks.ts';

export const handler = httpHandler('testWebhook', async (req) =>
  json(202, await testWebhook(webhookDeps(), req.tenantId, req.params.webhookId, req.receivedAt)),
);
