import { httpHandler, json } from '../http/handler.ts';
import { listWebhooks } from '../use-cases/webhooks.ts';
import { webhookDeps } from '../wiring/webhooks.ts';

export const handler = httpHandler('listWebhooks', async (req) =>
  json(200, await listWebhooks(webhookDeps(), req.tenantId)),
);
