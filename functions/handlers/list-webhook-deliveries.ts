import { httpHandler, json } from '../http/handler.ts';
import { listDeliveries } from '../use-cases/webhooks.ts';
import { webhookDeps } from '../wiring/webhooks.ts';

export const handler = httpHandler('listWebhookDeliveries', async (req) =>
  json(
    200,
    await listDeliveries(webhookDeps(), req.tenantId, req.params.webhookId, {
      limit: req.query.limit ?? 50,
      cursor: req.query.cursor,
    }),
  ),
);
