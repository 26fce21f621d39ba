import { describe, expect, it } from 'vitest';
import type { Delivery, Lane, WebhookStore } from '../../functions/domain/webhook-store.ts';
import type { StoredWebhook } from '../../functions/domain/webhooks.ts';
import { newDelivery } from '../../functions/use-cases/webhook-delivery.ts';
import { event } from './builders.ts';

const T = new Date('2026-12-01T10:00:00.000Z');
const SOON = new Date(T.getTime() + 5_000);
const AFTER_MINUTE = new Date(T.getTime() + 60_000);
const LATER = new Date(T.getTime() + 300_000);
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

/** The lane of `hook`, wherever it is due. */
async function laneOf(store: WebhookStore): Promise<Lane | undefined> {
  const lanes = await store.lanesToLook(new Date('2027-01-01T00:00:00.000Z'));
  return lanes.find((l) => l.webhookId === hook.webhookId);
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

    it('an unattempted one is due for the driver at once: its lane wants a look, and it can be claimed; a delivered one is never due', async () => {
      const store = await make();
      await store.writeDeliveries([delivery(1), delivered(delivery(2))]);
      expect(await store.lanesToLook(T)).toEqual([
        { ...hook, pending: 1, version: 1, lookAt: T.toISOString(), leaseHolder: null, leaseUntil: null },
      ]);
      const lane = (await store.takeLane(hook, 'driver', T, AFTER_MINUTE)) as Lane;
      const due = await store.laneDeliveries(hook.tenantId, hook.webhookId, 9);
      expect(due.map((d) => d.eventId)).toEqual([delivery(1).eventId]);
      expect(await store.claimDelivery(due[0] as Delivery, 'driver', AFTER_MINUTE)).toBe(true);
      // Claimed: due again when the claim lapses.
      expect(await store.laneDeliveries(hook.tenantId, hook.webhookId, 9)).toMatchObject([
        { eventId: delivery(1).eventId, claim: 'driver', dueAt: AFTER_MINUTE.toISOString() },
      ]);
      expect(await store.releaseLane(lane, 'driver', AFTER_MINUTE)).toBe(AFTER_MINUTE.toISOString());
      expect(await store.lanesToLook(T)).toEqual([]);
      expect(await laneOf(store)).toMatchObject({ pending: 1, lookAt: AFTER_MINUTE.toISOString() });
    });

    it('counts pending deliveries exactly: a repeated batch adds none, a batch cut short by those written already counts the rest, delivered ones never', async () => {
      const store = await make();
      const all = Array.from({ length: 150 }, (_, i) => (i % 3 === 0 ? delivered(delivery(i)) : delivery(i)));
      await store.writeDeliveries(all.filter((_, i) => i % 5 === 0));
      expect((await laneOf(store))?.pending).toBe(
        all.filter((d, i) => i % 5 === 0 && d.status === 'pending').length,
      );
      await store.writeDeliveries(all);
      await store.writeDeliveries(all);
      expect((await laneOf(store))?.pending).toBe(100);
    });

    it('one endpoint’s deliveries in its own partition: another endpoint’s backlog is not read with them', async () => {
      const store = await make();
      const other = { tenantId: 'other', webhookId: 'wh-9' };
      await store.writeDeliveries([
        ...Array.from({ length: 20 }, (_, i) => ({ ...delivery(i), ...other })),
        delivery(99, { dueAt: LATER.toISOString() }),
      ]);
      expect((await store.laneDeliveries(hook.tenantId, hook.webhookId, 9)).map((d) => d.eventId)).toEqual([
        delivery(99).eventId,
      ]);
      expect(await store.laneDeliveries(other.tenantId, other.webhookId, 9)).toHaveLength(9);
      expect((await store.lanesToLook(LATER)).map((l) => [l.webhookId, l.pending, l.lookAt])).toEqual([
        [other.webhookId, 20, T.toISOString()],
        [hook.webhookId, 1, LATER.toISOString()],
      ]);
    });

    it('a lane’s lease: one holder until it lapses, and only once its look is due', async () => {
      const store = await make();
      await store.writeDeliveries([delivery(1, { dueAt: LATER.toISOString() })]);
      expect(await store.takeLane(hook, 'a', T, AFTER_MINUTE)).toBeNull();
      expect(await store.takeLane(hook, 'a', LATER, new Date(LATER.getTime() + 60_000))).toMatchObject({
        pending: 1,
        version: 1,
        leaseHolder: 'a',
      });
      expect(await store.takeLane(hook, 'b', new Date(LATER.getTime() + 59_000), LATER)).toBeNull();
      expect(await store.takeLane(hook, 'b', new Date(LATER.getTime() + 61_000), LATER)).toMatchObject({
        leaseHolder: 'b',
      });
      // The lapsed holder gives back nothing of b's.
      expect(await store.releaseLane((await laneOf(store)) as Lane, 'a', T)).toBeNull();
      expect(await laneOf(store)).toMatchObject({ leaseHolder: 'b', lookAt: LATER.toISOString() });
    });

    it('giving a lane back: its next look as given, unless a writer since asked for a sooner one (the look it answers is the one that stands)', async () => {
      const store = await make();
      await store.writeDeliveries([delivery(1)]);
      let lane = (await store.takeLane(hook, 'driver', T, AFTER_MINUTE)) as Lane;
      expect(await store.releaseLane(lane, 'driver', LATER)).toBe(LATER.toISOString());
      expect(await laneOf(store)).toMatchObject({ lookAt: LATER.toISOString(), leaseHolder: null });
      // A writer meanwhile wants a look at T + 5 s: a later one given back gives way to it ...
      await store.writeDeliveries([delivery(2, { dueAt: LATER.toISOString() })]);
      lane = (await store.takeLane(hook, 'driver', LATER, new Date(LATER.getTime() + 60_000))) as Lane;
      await store.writeDeliveries([delivery(3, { dueAt: SOON.toISOString() })]);
      expect(await store.releaseLane(lane, 'driver', new Date(LATER.getTime() + 30_000))).toBe(
        SOON.toISOString(),
      );
      expect(await laneOf(store)).toMatchObject({
        pending: 3,
        lookAt: SOON.toISOString(),
        leaseHolder: null,
      });
      // ... a sooner one given back wins.
      lane = (await store.takeLane(hook, 'driver', LATER, new Date(LATER.getTime() + 60_000))) as Lane;
      await store.writeDeliveries([delivery(4, { dueAt: LATER.toISOString() })]);
      expect(await store.releaseLane(lane, 'driver', T)).toBe(T.toISOString());
      expect(await laneOf(store)).toMatchObject({ pending: 4, lookAt: T.toISOString() });
    });

    it('a removed webhook’s deliveries, each settled as failed: the lane leaves the index; a new delivery brings it back', async () => {
      const store = await make();
      await store.writeDeliveries([delivery(1), delivery(2)]);
      const lane = (await store.takeLane(hook, 'driver', T, AFTER_MINUTE)) as Lane;
      for (const d of await store.laneDeliveries(hook.tenantId, hook.webhookId, 9)) {
        expect(await store.claimDelivery(d, 'driver', AFTER_MINUTE)).toBe(true);
        const stopped = {
          ...d,
          status: 'failed' as const,
          error: 'webhook-removed',
          nextAttemptAt: null,
          dueAt: null,
        };
        expect(await store.settleAttempt(stopped, 'driver')).toBe(true);
      }
      expect(await store.releaseLane(lane, 'driver', AFTER_MINUTE)).toBeNull();
      expect(await store.lanesToLook(new Date('2027-01-01T00:00:00.000Z'))).toEqual([]);
      expect(await laneOf(store)).toBeUndefined();
      expect(await store.laneDeliveries(hook.tenantId, hook.webhookId, 9)).toEqual([]);
      expect((await stored(store)).map((d) => d.error)).toEqual(['webhook-removed', 'webhook-removed']);
      await store.writeDeliveries([delivery(3)]);
      expect((await store.lanesToLook(T)).map((l) => l.pending)).toEqual([1]);
    });

    it('a retry recorded keeps the delivery pending on its lane; a claim lost records nothing', async () => {
      const store = await make();
      await store.writeDeliveries([delivery(1)]);
      const [d] = await store.laneDeliveries(hook.tenantId, hook.webhookId, 9);
      await store.claimDelivery(d as Delivery, 'driver', AFTER_MINUTE);
      const retry = {
        ...(d as Delivery),
        attempts: 1,
        dueAt: LATER.toISOString(),
        nextAttemptAt: LATER.toISOString(),
      };
      expect(await store.settleAttempt({ ...retry, status: 'failed', dueAt: null }, 'other')).toBe(false);
      expect(await store.settleAttempt(retry, 'driver')).toBe(true);
      expect((await laneOf(store))?.pending).toBe(1);
      expect(await store.laneDeliveries(hook.tenantId, hook.webhookId, 9)).toMatchObject([
        { attempts: 1, dueAt: LATER.toISOString(), claim: null },
      ]);
    });

    it('a test counts on its lane and asks for a look when due; brought forward, its retry asks for one again', async () => {
      const store = await make();
      const test = { ...delivery(1), type: 'webhook.test' as const };
      await store.startTest(test);
      expect(await laneOf(store)).toMatchObject({ pending: 1, version: 1, lookAt: T.toISOString() });
      const lane = (await store.takeLane(hook, 'driver', T, AFTER_MINUTE)) as Lane;
      const [d] = await store.laneDeliveries(hook.tenantId, hook.webhookId, 9);
      await store.claimDelivery(d as Delivery, 'driver', AFTER_MINUTE);
      await store.settleAttempt({ ...(d as Delivery), attempts: 1, dueAt: LATER.toISOString() }, 'driver');
      expect(await store.releaseLane(lane, 'driver', LATER)).toBe(LATER.toISOString());
      expect(await store.startTest({ ...delivery(2), type: 'webhook.test', dueAt: SOON.toISOString() })).toBe(
        test.eventId,
      );
      expect(await laneOf(store)).toMatchObject({ pending: 1, version: 2, lookAt: SOON.toISOString() });
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

    it('notes a tenant’s slow endpoints, answering when one last was (before any webhook, and after)', async () => {
      const store = await make();
      expect(await store.noteSlowEndpoint('acme', '2026-12-01T10:00:00.000Z')).toBeNull();
      await store.addWebhook(stored('wh-a', null), event('acme', 'webhook.added'));
      expect(await store.noteSlowEndpoint('acme', '2026-12-01T10:00:30.000Z')).toBe(
        '2026-12-01T10:00:00.000Z',
      );
      expect(await store.noteSlowEndpoint('other', '2026-12-01T10:00:30.000Z')).toBeNull();
      expect((await store.listWebhooks('acme')).map((w) => w.webhookId)).toEqual(['wh-a']);
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
