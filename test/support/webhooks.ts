import type { StoredWebhook } from '../../functions/domain/webhooks.ts';

/** A stored webhook of `tenantId` taking `grant.created`, at its own URL, with a fixed secret. */
export function storedWebhook(tenantId: string, webhookId: string): StoredWebhook {
  return {
    tenantId,
    webhookId,
    url: `https://${tenantId}.example.com/${webhookId}`,
    eventTypes: ['grant.created'],
    format: 'standard',
    locale: 'en',
    description: null,
    createdAt: '2026-11-01T00:00:00.000Z',
    createdBy: 'admin@example.com',
    secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
    previousSecret: null,
    previousSecretUntil: null,
  };
}
