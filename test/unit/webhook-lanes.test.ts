import { describe, expect, it } from 'vitest';
import type { OutgoingWebhook, SendOutcome, WebhookSender } from '../../functions/domain/webhook-store.ts';
import {
  CLAIM_MS,
  type DeliveryDeps,
  LOOK_TAKING_MS,
  newDelivery,
  PER_ENDPOINT_CONCURRENCY,
  retryDueDeliveries,
} from '../../functions/use-cases/webhook-delivery.ts';
import { FakeClock } from '../support/clock.ts';
import { silentLog } from '../support/deps.ts';
import { FakeRetryWakeUps } from '../support/fakes/retry-wake-ups.ts';
import { FakeWebhooks } from '../support/fakes/webhooks.ts';
import { until } from '../support/until.ts';
import { storedWebhook as webhook } from '../support/webhooks.ts';

const T0 = '2026-12-01T10:00:00.300Z';

/** `count` failed deliveries to one endpoint, each due for its retry at `dueAt`. */
const backlog = (tenantId: string, webhookId: string, count: number, dueAt: Date) =>
  Array.from({ length: count }, (_, i) => ({
    ...newDelivery(
      webhook(tenantId, webhookId),
      `01J${String(i).padStart(10, '0')}`,
      'grant.created',
      T0,
      {},
      dueAt,
      null,
    ),
    attempts: 1,
    error: 'unexpected-status',
    responseStatus: 503,
  }));

/** Every request answered 503 but the quiet tenant's; when `held`, none until released. */
class Receivers implements WebhookSender {
  readonly sent: string[] = [];
  readonly inFlight = new Map<string, number>();
  readonly most = new Map<string, number>();
  held = false;
  private readonly waiting: (() => void)[] = [];
  async send(request: OutgoingWebhook): Promise<SendOutcome> {
    this.sent.push(request.url);
    const now = (this.inFlight.get(request.url) ?? 0) + 1;
    this.inFlight.set(request.url, now);
    this.most.set(request.url, Math.max(now, this.most.get(request.url) ?? 0));
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight.set(request.url, (this.inFlight.get(request.url) ?? 1) - 1);
    return request.url.includes('quiet') ? { status: 204, error: null } : { status: 503, error: null };
  }
  release() {
    this.held = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

function given() {
  const clock = new FakeClock(T0);
  const webhooks = new FakeWebhooks();
  const sender = new Receivers();
  const deps: DeliveryDeps = { webhooks, clock, log: silentLog, sender, wakeUps: new FakeRetryWakeUps() };
  return { clock, webhooks, sender, deps, start: Date.parse(T0) };
}

describe('the retry driver’s lanes', () => {
  it('a lane with a backlog goes behind the lanes that wanted a look before its release: another tenant’s retry is taken in the next look, however long the backlogs', async () => {
    const t = given();
    // Seventy endpoints of one tenant, gone or failing, each with 200 retries due ten minutes ago.
    for (let i = 0; i < 70; i++)
      await t.webhooks.writeDeliveries(backlog('flood', `w${i}`, 200, new Date(t.start - 600_000)));
    await t.webhooks.addWebhook(webhook('quiet', 'q1'), undefined as never);
    await t.webhooks.writeDeliveries(backlog('quiet', 'q1', 1, new Date(t.start - 1_000)));
    const looks: number[] = [];
    while (!t.sender.sent.some((url) => url.includes('quiet')) && looks.length < 10) {
      looks.push((await retryDueDeliveries(t.deps, `look-${looks.length}`)).attempted);
      t.clock.advance(2_000);
    }
    expect(looks.length).toBeLessThanOrEqual(2);
    expect(Math.max(...looks)).toBeLessThanOrEqual(500);
  });

  it('lanes are taken in turns of one per tenant: six hundred endpoints of one tenant, added and removed with retries pending, do not put another tenant’s retry off', async () => {
    const t = given();
    for (let i = 0; i < 620; i++)
      await t.webhooks.writeDeliveries(backlog('flood', `w${i}`, 16, new Date(t.start - 600_000)));
    await t.webhooks.addWebhook(webhook('quiet', 'q1'), undefined as never);
    await t.webhooks.writeDeliveries(backlog('quiet', 'q1', 1, new Date(t.start - 1_000)));
    await retryDueDeliveries(t.deps, 'look');
    expect(t.sender.sent.filter((url) => url.includes('quiet'))).toHaveLength(1);
  });

  it('a delivery that changed between its read and its claim is read again by the next look, not left to the lane’s later retries', async () => {
    const t = given();
    await t.webhooks.addWebhook(webhook('acme', 'w'), undefined as never);
    // A later retry of the same endpoint (so the lane has more pending), then one due now.
    await t.webhooks.writeDeliveries(
      backlog('acme', 'w', 2, new Date(t.start + 600_000))
        .slice(1)
        .map((d) => ({ ...d, eventId: '01JLATER' })),
    );
    await t.webhooks.writeDeliveries(backlog('acme', 'w', 1, new Date(t.start - 1_000)));
    t.webhooks.claimDelivery = async () => false;
    const look = await retryDueDeliveries(t.deps, 'look');
    expect(look.attempted).toBe(0);
    expect(look.nextLookAt).toBe(t.clock.now().toISOString());
  });

  it('a look takes no more lanes than its limit allows, though it takes them side by side', async () => {
    const t = given();
    for (let i = 0; i < 100; i++)
      await t.webhooks.writeDeliveries(backlog('flood', `w${i}`, 20, new Date(t.start - 60_000)));
    const look = await retryDueDeliveries(t.deps, 'look', 100);
    expect(look.attempted).toBeLessThanOrEqual(100);
    expect(look.attempted).toBeGreaterThan(100 - PER_ENDPOINT_CONCURRENCY);
    expect(look.nextLookAt).toBe(t.clock.now().toISOString());
  });

  it('a slow look: each lane’s lease runs from when it was taken, and the look stops taking lanes after LOOK_TAKING_MS (the next look takes the rest at once)', async () => {
    const t = given();
    for (let i = 0; i < 40; i++) {
      await t.webhooks.addWebhook(webhook(`t${i}`, 'w'), undefined as never);
      await t.webhooks.writeDeliveries(backlog(`t${i}`, 'w', 1, new Date(t.start - 60_000 + i)));
    }
    // A slow table: each lease taken costs the look a second.
    const take = t.webhooks.takeLane;
    const takenAt = new Map<string, number>();
    t.webhooks.takeLane = async (lane, holder, now, until) => {
      t.clock.advance(1_000);
      const taken = await take(lane, holder, now, until);
      takenAt.set(lane.tenantId, until.getTime() - CLAIM_MS);
      return taken;
    };
    t.sender.held = true;
    const look = retryDueDeliveries(t.deps, 'look');
    await until(
      async () => t.sender.sent.length,
      (n) => n >= 10,
      5_000,
      'the first lanes’ attempts',
      5,
    );
    const leases = [...t.webhooks.lanes.values()].filter((lane) => lane.leaseHolder === 'look');
    t.sender.release();
    const result = await look;
    // Taken one after another in a look that began at T0: each lease from its own moment.
    expect(new Set(leases.map((lane) => lane.leaseUntil)).size).toBeGreaterThan(1);
    for (const lane of leases)
      expect(Date.parse(lane.leaseUntil ?? '')).toBe((takenAt.get(lane.tenantId) ?? 0) + CLAIM_MS);
    expect(result.attempted).toBeLessThan(40);
    expect(Math.max(...takenAt.values()) - t.start).toBeLessThanOrEqual(LOOK_TAKING_MS + 10_000);
    expect(result.nextLookAt).toBe(t.clock.now().toISOString());
  });
});
