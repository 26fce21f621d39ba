import { describe, expect, it } from 'vitest';
import type { EventData } from '../../functions/domain/audit.ts';
import { ulidGenerator } from '../../functions/domain/ids.ts';
import type { Log } from '../../functions/domain/ports.ts';
import {
  CUT_OFF,
  type OutgoingWebhook,
  type SendOutcome,
  type WebhookSender,
} from '../../functions/domain/webhook-store.ts';
import type { StoredWebhook } from '../../functions/domain/webhooks.ts';
import {
  type DeliveryDeps,
  deliverEvents,
  FAILING_AT_LEAST_MS,
  FAILING_FOR_MS,
  retryDueDeliveries,
  SLOW_ENDPOINT_MS,
  TENANT_HELD_FOR_MS,
} from '../../functions/use-cases/webhook-delivery.ts';
import { addWebhook, removeWebhook } from '../../functions/use-cases/webhooks.ts';
import { FakeClock } from '../support/clock.ts';
import { FakeRetryWakeUps } from '../support/fakes/retry-wake-ups.ts';
import { FakeWebhooks } from '../support/fakes/webhooks.ts';

class FakeSender implements WebhookSender {
  readonly sent: OutgoingWebhook[] = [];
  /** Requests to these URLs get no answer: only the caller's signal ends them. */
  readonly hanging = new Set<string>();
  answer: (request: OutgoingWebhook) => SendOutcome = () => ({ status: 204, error: null });
  async send(request: OutgoingWebhook, signal?: AbortSignal): Promise<SendOutcome> {
    this.sent.push(request);
    if (!this.hanging.has(request.url)) return this.answer(request);
    return new Promise((resolve) =>
      signal?.addEventListener('abort', () => resolve({ status: null, error: CUT_OFF }), { once: true }),
    );
  }
}

/** A store that counts its calls by method, and whose writes of deliveries may be made to fail. */
class CountingWebhooks extends FakeWebhooks {
  readonly calls: string[] = [];
  failWrites = false;
  constructor() {
    super();
    for (const name of ['markFailing', 'claimDelivery', 'settleAttempt'] as const) {
      const real = this[name].bind(this) as (...args: unknown[]) => Promise<unknown>;
      (this as Record<string, unknown>)[name] = (...args: unknown[]) => {
        this.calls.push(name);
        return real(...args);
      };
    }
    const write = this.writeDeliveries;
    this.writeDeliveries = async (deliveries) => {
      this.calls.push('writeDeliveries');
      if (this.failWrites) throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      return write(deliveries);
    };
  }
}

const quiet: Log = { info: () => {}, warn: () => {}, error: () => {} };

function given() {
  const clock = new FakeClock('2026-12-01T10:00:00.000Z');
  const webhooks = new CountingWebhooks();
  const sender = new FakeSender();
  const deps: DeliveryDeps = { webhooks, clock, log: quiet, sender, wakeUps: new FakeRetryWakeUps() };
  let n = 0;
  const hook = async (tenantId: string, overrides: Partial<StoredWebhook> = {}): Promise<StoredWebhook> => {
    const webhook: StoredWebhook = {
      webhookId: `wh-${++n}`,
      tenantId,
      url: `https://${tenantId}.example.com/in`,
      eventTypes: ['access.checked', 'grant.created'],
      format: 'standard',
      locale: 'en',
      description: null,
      createdAt: clock.now().toISOString(),
      createdBy: `admin@${tenantId}.example`,
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      previousSecret: null,
      previousSecretUntil: null,
      failingUntil: null,
      ...overrides,
    };
    await webhooks.addWebhook(webhook, undefined as never);
    return webhook;
  };
  let seq = 0;
  const event = (tenantId: string): EventData =>
    ({
      tenantId,
      eventId: `01JEVENT${String(++seq).padStart(10, '0')}`,
      at: clock.now().toISOString(),
      type: 'access.checked',
      actor: 'agent@vendor.example',
      grantId: null,
      details: { access: true, checkedAt: clock.now().toISOString() },
    }) as EventData;
  const stored = (w: StoredWebhook) =>
    [...webhooks.deliveries.values()].filter((d) => d.webhookId === w.webhookId);
  return { clock, webhooks, sender, deps, hook, event, stored };
}

describe('the stream’s webhook sender', () => {
  it('attempts first and writes each delivery once, with its outcome: no claim, no second write', async () => {
    const t = given();
    const ok = await t.hook('acme');
    const failing = await t.hook('beta', { url: 'https://beta.example.com/in' });
    t.sender.answer = (r) =>
      r.url === failing.url ? { status: 503, error: null } : { status: 204, error: null };
    const result = await deliverEvents(t.deps, [t.event('acme'), t.event('acme'), t.event('beta')]);
    expect(result).toEqual({ attempted: 3, delivered: 2, handedOn: 0 });
    // One write for the whole batch, after the attempts; and the failing endpoint's mark.
    expect(t.webhooks.calls).toEqual(['markFailing', 'writeDeliveries']);
    const now = t.clock.now();
    expect(t.stored(ok).map((d) => [d.status, d.attempts, d.responseStatus, d.dueAt, d.claim])).toEqual([
      ['delivered', 1, 204, null, null],
      ['delivered', 1, 204, null, null],
    ]);
    // Failed: written due for its retry on the schedule (5 s), which the driver then makes.
    const retryAt = new Date(now.getTime() + 5_000).toISOString();
    expect(t.stored(failing)).toMatchObject([
      {
        status: 'pending',
        attempts: 1,
        responseStatus: 503,
        nextAttemptAt: retryAt,
        dueAt: retryAt,
        claim: null,
      },
    ]);
    t.sender.answer = () => ({ status: 204, error: null });
    t.clock.advance(5_000);
    expect(await retryDueDeliveries(t.deps, 'driver')).toEqual({
      attempted: 1,
      delivered: 1,
      nextLookAt: null,
    });
    expect(t.stored(failing)).toMatchObject([{ status: 'delivered', attempts: 2 }]);
  });

  it('a hundred failures to one endpoint in a batch mark it failing once', async () => {
    const t = given();
    const hook = await t.hook('acme');
    t.sender.answer = () => ({ status: 500, error: null });
    await deliverEvents(
      t.deps,
      Array.from({ length: 100 }, () => t.event('acme')),
    );
    expect(t.webhooks.calls.filter((c) => c === 'markFailing')).toHaveLength(1);
    expect((await t.webhooks.getWebhook('acme', hook.webhookId))?.failingUntil).toBe(
      new Date(t.clock.now().getTime() + FAILING_FOR_MS).toISOString(),
    );
  });

  it('cut off by the budget, or not started by then: written once, unattempted and due now, for the driver', async () => {
    const t = given();
    const slow = await t.hook('slow');
    t.sender.hanging.add(slow.url);
    const result = await deliverEvents(
      t.deps,
      Array.from({ length: 20 }, () => t.event('slow')),
      50,
    );
    expect(result).toEqual({ attempted: 0, delivered: 0, handedOn: 20 });
    expect(t.webhooks.deliveries.size).toBe(20);
    expect(
      new Set(
        t.stored(slow).map((d) => JSON.stringify([d.status, d.attempts, d.dueAt, d.nextAttemptAt, d.claim])),
      ),
      // The delivery log shows when each is to be attempted.
    ).toEqual(
      new Set([
        JSON.stringify(['pending', 0, t.clock.now().toISOString(), t.clock.now().toISOString(), null]),
      ]),
    );
    expect((await t.webhooks.getWebhook('slow', slow.webhookId))?.failingUntil).not.toBeNull();
  });

  it('a success clears the mark only once it has stood a minute: an endpoint that answers the driver and then hangs holds up the stream once a minute at most', async () => {
    const t = given();
    const hook = await t.hook('acme');
    t.sender.hanging.add(hook.url);
    await deliverEvents(t.deps, [t.event('acme')], 50);
    const markedAt = t.clock.now().getTime();
    t.sender.hanging.delete(hook.url);
    t.clock.advance(5_000);
    expect(await retryDueDeliveries(t.deps, 'driver')).toMatchObject({ attempted: 1, delivered: 1 });
    // Hanging again: the stream does not try it (and so does not wait for it).
    t.sender.hanging.add(hook.url);
    t.sender.sent.length = 0;
    expect(await deliverEvents(t.deps, [t.event('acme')], 50)).toEqual({
      attempted: 0,
      delivered: 0,
      handedOn: 1,
    });
    expect(t.sender.sent).toEqual([]);
    // A minute after the mark, the driver's next success ends it.
    t.sender.hanging.delete(hook.url);
    t.clock.set(new Date(markedAt + FAILING_AT_LEAST_MS));
    expect(await retryDueDeliveries(t.deps, 'driver')).toMatchObject({ attempted: 1, delivered: 1 });
    expect((await t.webhooks.getWebhook('acme', hook.webhookId))?.failingUntil).toBeNull();
  });

  it('one slow endpoint leaves its tenant’s others on the stream; the second within a minute (removed and added again while the batch waited) holds the tenant a minute', async () => {
    const t = given();
    const deps = {
      ...t.deps,
      ids: ulidGenerator(),
      addressPolicy: { allowLoopback: false },
      resolveHost: async () => ['93.184.216.34'],
    };
    const add = (url: string) => addWebhook(deps, 'acme', 'admin@acme.example', { url }, t.clock.now());
    const hanging = 'https://hang.example.com/in';
    const first = await add(hanging);
    const other = await add('https://other.example.com/in');
    t.sender.hanging.add(hanging);
    // The admin removes it while the stream waits for it.
    const batch = deliverEvents(t.deps, [t.event('acme')], 50);
    await removeWebhook(deps, 'acme', first.webhookId, 'admin@acme.example', t.clock.now());
    await batch;
    expect(await t.webhooks.tenantHeldUntil('acme')).toBeNull();
    // ... and adds it again: the stream tries it (and the other endpoint) once more, and that
    // second stall within the minute holds the tenant.
    t.clock.advance(1_000);
    await add(hanging);
    t.sender.sent.length = 0;
    await deliverEvents(t.deps, [t.event('acme')], 50);
    expect(t.sender.sent.map((r) => r.url).sort()).toEqual([hanging, other.url]);
    expect(await t.webhooks.tenantHeldUntil('acme')).toBe(
      new Date(t.clock.now().getTime() + TENANT_HELD_FOR_MS).toISOString(),
    );
    t.clock.advance(1_000);
    await add(hanging);
    t.sender.sent.length = 0;
    const started = Date.now();
    expect(await deliverEvents(t.deps, [t.event('acme'), t.event('beta')], 50)).toMatchObject({
      attempted: 0,
      handedOn: 3,
    });
    expect(Date.now() - started).toBeLessThan(40);
    expect(t.sender.sent).toEqual([]);
    // A minute later the stream tries the tenant's endpoints again.
    t.clock.advance(TENANT_HELD_FOR_MS);
    await deliverEvents(t.deps, [t.event('acme')], 50);
    expect(t.sender.sent.map((r) => r.url)).toContain(other.url);
  });

  it('an endpoint whose answers each come in under a second but keep the batch waiting over one together is marked (its tenant not held for one); a success at the driver a minute later clears the mark', async () => {
    const t = given();
    const hook = await t.hook('acme');
    t.sender.answer = () => {
      t.clock.advance(600);
      return { status: 200, error: null };
    };
    expect(await deliverEvents(t.deps, [t.event('acme'), t.event('acme')])).toMatchObject({
      attempted: 2,
      delivered: 2,
    });
    expect((await t.webhooks.getWebhook('acme', hook.webhookId))?.failingUntil).not.toBeNull();
    expect(await t.webhooks.tenantHeldUntil('acme')).toBeNull();
    t.clock.advance(FAILING_AT_LEAST_MS);
    t.sender.sent.length = 0;
    expect(await deliverEvents(t.deps, [t.event('acme')])).toMatchObject({ attempted: 0, handedOn: 1 });
    expect(await retryDueDeliveries(t.deps, 'driver')).toMatchObject({ attempted: 1, delivered: 1 });
    expect((await t.webhooks.getWebhook('acme', hook.webhookId))?.failingUntil).toBeNull();
  });

  it('one quick answer keeps nothing waiting: neither mark nor hold', async () => {
    const t = given();
    const hook = await t.hook('acme');
    t.sender.answer = () => {
      t.clock.advance(SLOW_ENDPOINT_MS - 10);
      return { status: 200, error: null };
    };
    await deliverEvents(t.deps, [t.event('acme')]);
    expect((await t.webhooks.getWebhook('acme', hook.webhookId))?.failingUntil).toBeNull();
    expect(await t.webhooks.tenantHeldUntil('acme')).toBeNull();
  });

  it('a quick failure marks the endpoint but does not hold its tenant: the tenant’s other endpoints keep their first attempts', async () => {
    const t = given();
    const broken = await t.hook('acme', { url: 'https://broken.example.com/in' });
    const fine = await t.hook('acme', { url: 'https://fine.example.com/in' });
    t.sender.answer = (r) =>
      r.url === broken.url ? { status: 500, error: null } : { status: 204, error: null };
    await deliverEvents(t.deps, [t.event('acme')]);
    expect(await t.webhooks.tenantHeldUntil('acme')).toBeNull();
    t.sender.sent.length = 0;
    await deliverEvents(t.deps, [t.event('acme')]);
    expect(t.sender.sent.map((r) => r.url)).toEqual([fine.url]);
  });

  it('an endpoint failing lately: nothing sent, each delivery written once for the driver', async () => {
    const t = given();
    const until = new Date(t.clock.now().getTime() + 60_000).toISOString();
    const hook = await t.hook('acme', { failingUntil: until });
    const result = await deliverEvents(t.deps, [t.event('acme'), t.event('acme')]);
    expect(result).toEqual({ attempted: 0, delivered: 0, handedOn: 2 });
    expect(t.sender.sent).toEqual([]);
    expect(t.stored(hook).map((d) => [d.status, d.attempts, d.dueAt])).toEqual([
      ['pending', 0, t.clock.now().toISOString()],
      ['pending', 0, t.clock.now().toISOString()],
    ]);
  });

  it('a write that fails throws (the stream gives the batch again); given again, each delivery is written once, never twice', async () => {
    const t = given();
    const hook = await t.hook('acme');
    const events = Array.from({ length: 5 }, () => t.event('acme'));
    t.webhooks.failWrites = true;
    await expect(deliverEvents(t.deps, events)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(t.stored(hook)).toEqual([]);
    t.webhooks.failWrites = false;
    await deliverEvents(t.deps, events);
    expect(t.stored(hook).map((d) => d.eventId)).toEqual(events.map((e) => e.eventId));
    // Once more (as after a timeout past the write): the attempts are repeated with the same
    // webhook-id, what was written stays as it is.
    t.sender.answer = () => ({ status: 500, error: null });
    await deliverEvents(t.deps, events);
    expect(t.sender.sent.filter((r) => r.headers['webhook-id'] === events[0]?.eventId)).toHaveLength(3);
    expect(t.stored(hook).every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
  });

  it('one write for a whole batch, whatever its endpoints', async () => {
    const t = given();
    for (const tenantId of ['a', 'b', 'c', 'd', 'e']) await t.hook(tenantId);
    await deliverEvents(
      t.deps,
      ['a', 'b', 'c', 'd', 'e'].flatMap((tenantId) => Array.from({ length: 20 }, () => t.event(tenantId))),
    );
    expect(t.webhooks.deliveries.size).toBe(100);
    expect(t.webhooks.calls.filter((c) => c === 'writeDeliveries')).toHaveLength(1);
  });
});
