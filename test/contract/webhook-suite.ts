import { describe, expect, it } from 'vitest';
import type { Delivery, WebhookStore } from '../../functions/domain/webhook-store.ts';
import type { StoredWebhook } from '../../functions/domain/webhooks.ts';
import { newDelivery } from '../../functions/use-cases/webhook-delivery.ts';
import { event } from './builders.ts';

const T = new Date('2026-12-01T10:00:00.000Z');
const hook = { tenantId: 'acme', webhookId: 'wh-1' };
const delivery = (i: number, overrides: Partial<Delivery> = {}): Delivery => ({
  ...newDelivery(
    hook,
    `01JEVENT${String(i).padStart(10, '0')}`,
    'access.checked',
    T.toISOString(),
    { i },
    T,
    null,
  ),
  ...overrides,
});
const delivered = (d: Delivery): Delivery => ({
  ...d,
  status: 'delivered',
  attempts: 1,
  lastAttemptAt: T.toISOString(),
  responseStatus: 204,
  dueAt: null,
});

async function stored(store: WebhookStore): Promise<Delivery[]> {
  return (await store.listDeliveries(hook.tenantId, hook.webhookId, { limit: 500 })).items.sort((a, b) =>
    a.eventId.localeCompare(b.eventId),
  );
}

/** What every webhook store must do with the stream sender's deliveries, run against the fake and DynamoDB Local. */
export function webhookDeliveryContract(name: string, make: () => Promise<WebhookStore>) {
  describe(`${name}: webhook deliveries`, () => {
    it('writes new deliveries as they are; a repeat writes none of them again and changes nothing', async () => {
      const store = await make();
      const batch = [delivered(delivery(1)), delivery(2)];
      expect(await store.writeDeliveries(batch)).toEqual(batch);
      expect(await store.writeDeliveries(batch.map((d) => ({ ...d, status: 'failed' as const })))).toEqual(
        [],
      );
      expect(await stored(store)).toEqual(batch);
    });

    it('of a batch of 150 of which 30 are written already, writes the 120 others and leaves the 30 as they are', async () => {
      const store = await make();
      const all = Array.from({ length: 150 }, (_, i) => delivery(i));
      const before = all.filter((_, i) => i % 5 === 0).map(delivered);
      await store.writeDeliveries(before);
      const written = await store.writeDeliveries(all);
      expect(written.map((d) => d.eventId)).toEqual(all.filter((_, i) => i % 5 !== 0).map((d) => d.eventId));
      const now = await stored(store);
      expect(now).toHaveLength(150);
      expect(now.filter((d) => d.status === 'delivered').map((d) => d.eventId)).toEqual(
        before.map((d) => d.eventId),
      );
    });

    it('an unattempted one is due for the driver at once and can be claimed; a delivered one is never due', async () => {
      const store = await make();
      await store.writeDeliveries([delivery(1), delivered(delivery(2))]);
      const due = await store.dueDeliveries(T, 10);
      expect(due.map((d) => d.eventId)).toEqual([delivery(1).eventId]);
      expect(await store.claimDelivery(due[0] as Delivery, 'driver', new Date(T.getTime() + 60_000))).toBe(
        true,
      );
      expect(await store.dueDeliveries(T, 10)).toEqual([]);
    });
  });

  describe(`${name}: webhooks`, () => {
    const stored = (webhookId: string, failingUntil: string | null): StoredWebhook => ({
      webhookId,
      tenantId: 'acme',
      url: 'https://hooks.example.com/x',
      eventTypes: ['access.checked'],
      format: 'standard',
      locale: 'en',
      description: null,
      createdAt: T.toISOString(),
      createdBy: 'admin@acme.test',
      secret: 'whsec_x',
      previousSecret: null,
      previousSecretUntil: null,
      failingUntil,
    });

    it('holds a tenant, with or without webhooks, only ever longer; removing its webhooks does not lift it', async () => {
      const store = await make();
      expect(await store.tenantHeldUntil('acme')).toBeNull();
      await store.holdTenant('acme', '2026-12-01T10:01:00.000Z');
      await store.addWebhook(stored('wh-a', null), event('acme', 'webhook.added'));
      await store.holdTenant('acme', '2026-12-01T10:00:30.000Z');
      expect(await store.tenantHeldUntil('acme')).toBe('2026-12-01T10:01:00.000Z');
      await store.removeWebhook(stored('wh-a', null), event('acme', 'webhook.removed'));
      await store.holdTenant('acme', '2026-12-01T10:02:00.000Z');
      expect(await store.tenantHeldUntil('acme')).toBe('2026-12-01T10:02:00.000Z');
      expect(await store.tenantHeldUntil('other')).toBeNull();
      // The count still counts: ten webhooks may be added to a held tenant, not eleven.
      for (let i = 0; i < 10; i++)
        await store.addWebhook(stored(`wh-${i}`, null), event('acme', 'webhook.added'));
      await expect(store.addWebhook(stored('wh-x', null), event('acme', 'webhook.added'))).rejects.toThrow();
    });

    it('replacing the secret writes the secrets alone: a failing mark written since the webhook was read stays', async () => {
      const store = await make();
      await store.addWebhook(stored('wh-a', null), event('acme', 'webhook.added'));
      const before = (await store.getWebhook('acme', 'wh-a')) as StoredWebhook;
      await store.markFailing('acme', 'wh-a', '2026-12-01T10:10:00.000Z');
      await store.replaceSecret(
        before,
        {
          ...before,
          secret: 'whsec_new',
          previousSecret: before.secret,
          previousSecretUntil: '2026-12-02T10:00:00.000Z',
        },
        event('acme', 'webhook.secret-rotated'),
      );
      expect(await store.getWebhook('acme', 'wh-a')).toMatchObject({
        secret: 'whsec_new',
        previousSecret: 'whsec_x',
        failingUntil: '2026-12-01T10:10:00.000Z',
      });
      await expect(
        store.replaceSecret(
          before,
          { ...before, secret: 'whsec_other' },
          event('acme', 'webhook.secret-rotated'),
        ),
      ).rejects.toMatchObject({ name: 'ConcurrentModificationError' });
    });
  });
}
