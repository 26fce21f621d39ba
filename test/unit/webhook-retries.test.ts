import {
  ConflictException,
  type CreateScheduleCommand,
  ThrottlingException,
} from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ScheduledRetryWakeUps,
  WAKE_SLOT_MS,
  type WakeUpSlots,
  wakeScheduleName,
  wakeSlot,
} from '../../functions/adapters/retry-wake-ups.ts';
import type { EventData } from '../../functions/domain/audit.ts';
import { ulidGenerator } from '../../functions/domain/ids.ts';
import {
  CUT_OFF,
  type Delivery,
  type OutgoingWebhook,
  type SendOutcome,
  type WebhookSender,
} from '../../functions/domain/webhook-store.ts';
import { RETRY_DELAYS_SECONDS } from '../../functions/domain/webhooks.ts';
import {
  type DeliveryDeps,
  deliverEvents,
  newDelivery,
  PER_ENDPOINT_CONCURRENCY,
  retryDueDeliveries,
  WAKE_HORIZON_MS,
} from '../../functions/use-cases/webhook-delivery.ts';
import { testWebhook, type WebhookDeps } from '../../functions/use-cases/webhooks.ts';
import { FakeClock } from '../support/clock.ts';
import { silentLog } from '../support/deps.ts';
import { FakeRetryWakeUps } from '../support/fakes/retry-wake-ups.ts';
import { FakeWebhooks } from '../support/fakes/webhooks.ts';
import { until } from '../support/until.ts';
import { storedWebhook as webhook } from '../support/webhooks.ts';

const T0 = '2026-12-01T10:00:00.300Z';

/** A receiver per URL: an answer, or held until released (an endpoint that keeps attempts waiting). */
class ScriptedSender implements WebhookSender {
  readonly sent: { url: string; at: string }[] = [];
  readonly held: (() => void)[] = [];
  answer: (url: string) => SendOutcome | 'hold' = () => ({ status: 200, error: null });
  constructor(private readonly clock: FakeClock) {}
  async send(request: OutgoingWebhook, signal?: AbortSignal): Promise<SendOutcome> {
    this.sent.push({ url: request.url, at: this.clock.now().toISOString() });
    const answer = this.answer(request.url);
    if (answer !== 'hold') return answer;
    return new Promise((resolve) => {
      this.held.push(() => resolve({ status: 204, error: null }));
      signal?.addEventListener('abort', () => resolve({ status: null, error: CUT_OFF }), { once: true });
    });
  }
}

function given() {
  const clock = new FakeClock(T0);
  const webhooks = new FakeWebhooks();
  const wakeUps = new FakeRetryWakeUps();
  const sender = new ScriptedSender(clock);
  const warnings: string[] = [];
  const log = { ...silentLog, warn: (message: string) => void warnings.push(message) };
  const delivery: DeliveryDeps = { webhooks, clock, log, sender, wakeUps };
  const ids = ulidGenerator();
  const event = (tenantId = 'acme'): EventData =>
    ({
      tenantId,
      eventId: ids.next(clock.now()),
      at: clock.now().toISOString(),
      type: 'grant.created',
      actor: 'ada@acme.example',
      grantId: null,
      details: {},
    }) as unknown as EventData;
  const webhookDeps: WebhookDeps = {
    webhooks,
    clock,
    ids,
    log,
    addressPolicy: { allowLoopback: false },
    resolveHost: async () => ['93.184.215.14'],
    wakeUps,
  };
  return { clock, webhooks, wakeUps, sender, delivery, warnings, event, webhookDeps };
}

type Given = ReturnType<typeof given>;

/**
 * The deployed runtime over the fakes: each wake-up asked for fires at the end of its slot (as
 * the Scheduler adapter plans it), the rule every minute; each firing is one look of a new
 * driver. Runs until `until`, returning when each look ran and why.
 */
async function runDriver(t: Given, until: string) {
  const looks: { at: string; by: 'wake-up' | 'minute' }[] = [];
  const wakes: number[] = [];
  const end = Date.parse(until);
  for (;;) {
    wakes.push(...t.wakeUps.asked.splice(0).map((at) => wakeSlot(at).getTime()));
    const now = t.clock.now().getTime();
    const nextMinute = Math.floor(now / 60_000) * 60_000 + 60_000;
    const nextWake = Math.min(...wakes.filter((w) => w > now));
    const next = Math.min(nextMinute, nextWake);
    if (next > end) return looks;
    t.clock.set(new Date(next));
    const by = next === nextWake ? 'wake-up' : 'minute';
    // Two wake-ups in one slot are one schedule: one look.
    for (let i = wakes.length - 1; i >= 0; i--) if ((wakes[i] as number) <= next) wakes.splice(i, 1);
    const reads = t.webhooks.laneReads;
    await retryDueDeliveries(t.delivery, `driver-${next}`);
    // One look: one read of the lanes wanting a look.
    expect(t.webhooks.laneReads - reads).toBe(1);
    looks.push({ at: new Date(next).toISOString(), by });
  }
}

const offsetsSeconds = (sent: { at: string }[]) =>
  sent.slice(1).map((s, i) => (Date.parse(s.at) - Date.parse(sent[i]?.at as string)) / 1000);

afterEach(() => vi.useRealTimers());

describe('the retry driver: one look per invocation, woken for what falls due', () => {
  it('retries after about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (never early, at most a slot late), then gives up', async () => {
    const t = given();
    await t.webhooks.addWebhook(webhook('acme', 'w1'), undefined as never);
    t.sender.answer = () => ({ status: 503, error: null });
    await deliverEvents(t.delivery, [t.event()]);
    const looks = await runDriver(t, '2026-12-02T20:00:00.000Z');
    const gaps = offsetsSeconds(t.sender.sent);
    expect(gaps).toHaveLength(RETRY_DELAYS_SECONDS.length);
    gaps.forEach((gap, i) => {
      const delay = RETRY_DELAYS_SECONDS[i] as number;
      expect(gap, `retry ${i + 1}`).toBeGreaterThanOrEqual(delay);
      expect(gap, `retry ${i + 1}`).toBeLessThanOrEqual(delay + WAKE_SLOT_MS / 1000);
    });
    const [settled] = [...t.webhooks.deliveries.values()];
    expect(settled).toMatchObject({ status: 'failed', attempts: 8, dueAt: null });
    // Every retry was made by a look a wake-up started; the per-minute looks found nothing due.
    const retryLooks = looks.filter((l) => t.sender.sent.some((s) => s.at === l.at));
    expect(retryLooks.map((l) => l.by)).toEqual(Array(7).fill('wake-up'));
    // After the last retry, only the per-minute looks: nothing asks for another wake-up.
    const last = t.sender.sent.at(-1)?.at as string;
    expect(looks.filter((l) => l.at > last && l.by === 'wake-up')).toEqual([]);
  });

  it('the first retry is asked for by the failing attempt itself; the later ones by the per-minute look before them', async () => {
    const t = given();
    await t.webhooks.addWebhook(webhook('acme', 'w1'), undefined as never);
    t.sender.answer = () => ({ status: 500, error: null });
    await deliverEvents(t.delivery, [t.event()]);
    expect(t.wakeUps.take()).toEqual(['2026-12-01T10:00:05.300Z']);
    t.clock.set('2026-12-01T10:00:06.000Z');
    await retryDueDeliveries(t.delivery, 'driver');
    // Its next retry is 5 min away: beyond the horizon, no wake-up yet.
    expect(t.wakeUps.take()).toEqual([]);
    t.clock.set('2026-12-01T10:05:00.000Z');
    await retryDueDeliveries(t.delivery, 'driver');
    expect(t.sender.sent).toHaveLength(2);
    expect(t.wakeUps.take()).toEqual(['2026-12-01T10:05:06.000Z']);
  });

  it('a look never waits for time to pass: it returns with no timer running', async () => {
    const t = given();
    await t.webhooks.addWebhook(webhook('acme', 'w1'), undefined as never);
    t.sender.answer = () => ({ status: 503, error: null });
    await deliverEvents(t.delivery, [t.event()]);
    t.clock.advance(5_000);
    vi.useFakeTimers();
    // With the timers frozen, a sleep would never end: the look would not return.
    const result = await retryDueDeliveries(t.delivery, 'driver');
    expect(vi.getTimerCount()).toBe(0);
    expect(result).toMatchObject({ attempted: 1, delivered: 0, nextLookAt: null });
  });

  it('nothing due within the minute: no wake-up (an idle stage costs one look a minute)', async () => {
    const t = given();
    await t.webhooks.addWebhook(webhook('acme', 'w1'), undefined as never);
    expect(await retryDueDeliveries(t.delivery, 'driver')).toEqual({
      attempted: 0,
      delivered: 0,
      nextLookAt: null,
    });
    expect(t.wakeUps.take()).toEqual([]);
  });

  it('plans a wake-up for the soonest unclaimed delivery within the horizon; one being attempted is left to its sender', async () => {
    const t = given();
    await t.webhooks.addWebhook(webhook('acme', 'w1'), undefined as never);
    t.sender.answer = () => 'hold';
    // One first attempt in flight (claimed for a minute by the sender) ...
    const sending = deliverEvents(t.delivery, [t.event()], 60_000);
    await vi.waitFor(() => expect(t.sender.held).toHaveLength(1));
    // ... and one waiting for its retry in 40 s.
    const later = new Date(t.clock.now().getTime() + 40_000);
    await t.webhooks.writeDeliveries([
      {
        ...newDelivery(webhook('acme', 'w1'), 'later', 'grant.created', T0, {}, later, null),
        attempts: 1,
      },
    ]);
    expect(await retryDueDeliveries(t.delivery, 'driver')).toMatchObject({
      attempted: 0,
      nextLookAt: '2026-12-01T10:00:40.300Z',
    });
    expect(t.wakeUps.take()).toEqual(['2026-12-01T10:00:40.300Z']);
    for (const release of t.sender.held.splice(0)) release();
    await sending;
    expect(t.wakeUps.take()).toEqual([]);
    // Beyond the horizon: the per-minute look will plan it.
    t.clock.advance(-WAKE_HORIZON_MS);
    expect((await retryDueDeliveries(t.delivery, 'driver')).nextLookAt).toBeNull();
  });

  it('an endpoint’s backlog: its slots this look, the rest on a wake-up asked once those attempts ended; the other endpoint is served in the same look', async () => {
    const t = given();
    await t.webhooks.addWebhook(webhook('slow', 'w1'), undefined as never);
    await t.webhooks.addWebhook(webhook('fast', 'w2'), undefined as never);
    // Handed on by the stream's sender (its budget spent at once), all due now.
    t.sender.answer = () => 'hold';
    const handed = await deliverEvents(
      t.delivery,
      [...Array.from({ length: 20 }, () => t.event('slow')), t.event('fast')],
      0,
    );
    expect(handed.handedOn).toBe(21);
    t.sender.answer = (url) => (url.includes('slow') ? 'hold' : { status: 200, error: null });
    // Handing on asks for a look at once.
    expect(t.wakeUps.take()).toEqual([T0]);
    t.sender.sent.length = 0;
    t.sender.held.length = 0;
    t.clock.advance(WAKE_SLOT_MS);
    const look = retryDueDeliveries(t.delivery, 'driver-1');
    await vi.waitFor(() => expect(t.sender.held).toHaveLength(PER_ENDPOINT_CONCURRENCY));
    expect(t.sender.sent.filter((s) => s.url.includes('fast'))).toHaveLength(1);
    // No wake-up while its attempts run: the next look must not double the endpoint's share.
    expect(t.wakeUps.take()).toEqual([]);
    t.clock.advance(3_000);
    for (const release of t.sender.held.splice(0)) release();
    expect(await look).toMatchObject({
      attempted: PER_ENDPOINT_CONCURRENCY + 1,
      delivered: PER_ENDPOINT_CONCURRENCY + 1,
      nextLookAt: '2026-12-01T10:00:05.300Z',
    });
    expect(t.wakeUps.take()).toEqual(['2026-12-01T10:00:05.300Z']);
    // The next looks take the rest, at most eight each (answered at once or not).
    t.sender.answer = () => ({ status: 200, error: null });
    expect(await retryDueDeliveries(t.delivery, 'driver-2')).toMatchObject({
      attempted: PER_ENDPOINT_CONCURRENCY,
      nextLookAt: '2026-12-01T10:00:05.300Z',
    });
    expect(await retryDueDeliveries(t.delivery, 'driver-3')).toMatchObject({
      attempted: 20 - 2 * PER_ENDPOINT_CONCURRENCY,
      nextLookAt: null,
    });
  });

  it('looks that overlap share an endpoint’s slots: the second starts none of the held endpoint’s (the first plans for it), the other endpoint’s at once', async () => {
    const t = given();
    await t.webhooks.addWebhook(webhook('slow', 'w1'), undefined as never);
    await t.webhooks.addWebhook(webhook('fast', 'w2'), undefined as never);
    t.sender.answer = () => 'hold';
    await deliverEvents(
      t.delivery,
      Array.from({ length: 12 }, () => t.event('slow')),
      0,
    );
    t.wakeUps.take();
    t.sender.sent.length = 0;
    t.sender.held.length = 0;
    // The first look holds the slow endpoint's eight slots (its attempts hang).
    const first = retryDueDeliveries(t.delivery, 'driver-1');
    await vi.waitFor(() => expect(t.sender.held).toHaveLength(PER_ENDPOINT_CONCURRENCY));
    // Another look meanwhile (the per-minute one, a wake-up): none of the slow endpoint's, the fast one's at once.
    t.clock.advance(1_000);
    t.sender.answer = (url) => (url.includes('slow') ? 'hold' : { status: 200, error: null });
    await t.webhooks.writeDeliveries([
      {
        ...([...t.webhooks.deliveries.values()][0] as Delivery),
        tenantId: 'fast',
        webhookId: 'w2',
        claim: null,
        dueAt: t.clock.now().toISOString(),
      },
    ]);
    expect(await retryDueDeliveries(t.delivery, 'driver-2')).toEqual({
      attempted: 1,
      delivered: 1,
      nextLookAt: null,
    });
    expect(t.sender.held).toHaveLength(PER_ENDPOINT_CONCURRENCY);
    expect(t.wakeUps.take()).toEqual([]);
    for (const release of t.sender.held.splice(0)) release();
    expect(await first).toMatchObject({
      attempted: PER_ENDPOINT_CONCURRENCY,
      nextLookAt: '2026-12-01T10:00:01.300Z',
    });
    expect(t.wakeUps.take()).toEqual(['2026-12-01T10:00:01.300Z']);
  });

  /** `count` retries of one endpoint, each due at `dueAt` (their first attempts failed). */
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

  it('a tenant whose ten endpoints fail piles up 11 000 due retries: another tenant’s one due retry, due after all of them, is attempted in the first look', async () => {
    const t = given();
    for (let i = 0; i < 10; i++) await t.webhooks.addWebhook(webhook('flood', `w${i}`), undefined as never);
    await t.webhooks.addWebhook(webhook('quiet', 'w1'), undefined as never);
    const start = Date.parse(T0);
    for (let i = 0; i < 10; i++)
      await t.webhooks.writeDeliveries(backlog('flood', `w${i}`, 1_100, new Date(start - 600_000 + i)));
    await t.webhooks.writeDeliveries(backlog('quiet', 'w1', 1, new Date(start - 1)));
    t.sender.answer = (url) =>
      url.includes('flood') ? { status: 503, error: null } : { status: 204, error: null };
    expect(await retryDueDeliveries(t.delivery, 'driver')).toMatchObject({ delivered: 1, nextLookAt: T0 });
    expect(t.sender.sent.filter((s) => s.url.includes('quiet'))).toHaveLength(1);
    // Each flooding endpoint got its eight; the look read each endpoint's backlog once.
    expect(t.sender.sent).toHaveLength(10 * PER_ENDPOINT_CONCURRENCY + 1);
    expect(t.webhooks.dueReads).toBe(11);
  });

  it('an endpoint whose lane cannot be taken or read (the table throttles) is a warning: the other endpoints are served in the same look', async () => {
    const t = given();
    for (const id of ['w1', 'w2', 'w3']) await t.webhooks.addWebhook(webhook('acme', id), undefined as never);
    for (const id of ['w1', 'w2', 'w3'])
      await t.webhooks.writeDeliveries(backlog('acme', id, 2, new Date(Date.parse(T0) - 1_000)));
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    const take = t.webhooks.takeLane;
    t.webhooks.takeLane = async (lane, ...rest) => {
      if (lane.webhookId === 'w1') throw throttled;
      return take(lane, ...rest);
    };
    const read = t.webhooks.laneDeliveries;
    t.webhooks.laneDeliveries = async (tenantId, webhookId, limit) => {
      if (webhookId === 'w2') throw throttled;
      return read(tenantId, webhookId, limit);
    };
    expect(await retryDueDeliveries(t.delivery, 'driver')).toMatchObject({ attempted: 2, delivered: 2 });
    expect(t.sender.sent.map((s) => s.url)).toEqual(Array(2).fill(webhook('acme', 'w3').url));
    expect(t.warnings).toEqual(Array(2).fill('webhook endpoint not looked at; a later look takes it'));
  });

  it('an endpoint whose index shows fewer deliveries than its lane counts (index lag) gets its next look within the minute, not at its retry', async () => {
    const t = given();
    await t.webhooks.addWebhook(webhook('acme', 'w1'), undefined as never);
    await t.webhooks.writeDeliveries(backlog('acme', 'w1', 2, new Date(Date.parse(T0) - 1_000)));
    const read = t.webhooks.laneDeliveries;
    t.webhooks.laneDeliveries = async (...args) => (await read(...args)).slice(0, 1);
    t.sender.answer = () => ({ status: 503, error: null });
    const minute = new Date(Date.parse(T0) + 60_000).toISOString();
    // The one it saw failed again: its retry is 5 minutes away, the one it did not see is due.
    expect(await retryDueDeliveries(t.delivery, 'driver')).toMatchObject({
      attempted: 1,
      nextLookAt: minute,
    });
    expect(t.webhooks.lanes.get('acme#w1')).toMatchObject({ pending: 2, lookAt: minute, leaseHolder: null });
  });

  it('a test written while a look holds its endpoint: that look plans for it when it gives the lane back, not the per-minute look', async () => {
    const t = given();
    const id = ulidGenerator().next(t.clock.now());
    await t.webhooks.addWebhook(webhook('acme', id), undefined as never);
    await t.webhooks.writeDeliveries(backlog('acme', id, 2, new Date(Date.parse(T0) - 1_000)));
    t.sender.answer = () => 'hold';
    const holding = retryDueDeliveries(t.delivery, 'driver-1');
    await vi.waitFor(() => expect(t.sender.held).toHaveLength(2));
    t.clock.advance(1_000);
    await testWebhook(t.webhookDeps, 'acme', id, t.clock.now());
    // Its wake-up's look finds the endpoint held: none of its attempts, and no plan of its own.
    expect(await retryDueDeliveries(t.delivery, 'driver-2')).toMatchObject({
      attempted: 0,
      nextLookAt: null,
    });
    t.sender.answer = () => ({ status: 204, error: null });
    for (const release of t.sender.held.splice(0)) release();
    expect(await holding).toMatchObject({ attempted: 2, nextLookAt: '2026-12-01T10:00:01.300Z' });
    expect((await retryDueDeliveries(t.delivery, 'driver-3')).attempted).toBe(1);
    expect(t.sender.sent.at(-1)?.url).toBe(webhook('acme', id).url);
  });

  it('two looks at once never have more than eight attempts in flight to one endpoint, with a backlog of 10 500 (the stream’s sender aside)', async () => {
    const t = given();
    await t.webhooks.addWebhook(webhook('slow', 'w1'), undefined as never);
    await t.webhooks.writeDeliveries(backlog('slow', 'w1', 10_500, new Date(Date.parse(T0) - 60_000)));
    t.sender.answer = () => 'hold';
    const looks = [retryDueDeliveries(t.delivery, 'driver-1'), retryDueDeliveries(t.delivery, 'driver-2')];
    await vi.waitFor(() => expect(t.sender.held).toHaveLength(PER_ENDPOINT_CONCURRENCY));
    // A third look while they hang, later in the minute: still none of this endpoint's.
    t.clock.advance(30_000);
    expect(await retryDueDeliveries(t.delivery, 'driver-3')).toMatchObject({ attempted: 0 });
    expect(t.sender.held).toHaveLength(PER_ENDPOINT_CONCURRENCY);
    for (const release of t.sender.held.splice(0)) release();
    const [one, two] = await Promise.all(looks);
    expect((one?.attempted ?? 0) + (two?.attempted ?? 0)).toBe(PER_ENDPOINT_CONCURRENCY);
    // Once those ended, the next look takes the next eight.
    t.sender.answer = () => ({ status: 204, error: null });
    expect(await retryDueDeliveries(t.delivery, 'driver-4')).toMatchObject({
      attempted: PER_ENDPOINT_CONCURRENCY,
    });
  });

  it('an endpoint that failed lately: its deliveries go to the driver with a wake-up at once', async () => {
    const t = given();
    await t.webhooks.addWebhook(
      { ...webhook('acme', 'w1'), failingUntil: '2026-12-01T10:05:00.000Z' },
      undefined as never,
    );
    expect(await deliverEvents(t.delivery, [t.event()])).toEqual({
      attempted: 0,
      delivered: 0,
      handedOn: 1,
    });
    expect(t.sender.sent).toEqual([]);
    expect(t.wakeUps.take()).toEqual([T0]);
  });

  it('a delivered first attempt asks for nothing', async () => {
    const t = given();
    await t.webhooks.addWebhook(webhook('acme', 'w1'), undefined as never);
    expect(await deliverEvents(t.delivery, [t.event()])).toMatchObject({ delivered: 1 });
    expect(t.wakeUps.take()).toEqual([]);
  });

  it('a test asks for a look at once', async () => {
    const t = given();
    await t.webhooks.addWebhook(webhook('acme', 'w1'), undefined as never);
    const id = ulidGenerator().next(t.clock.now());
    await t.webhooks.addWebhook(webhook('acme', id), undefined as never);
    await testWebhook(t.webhookDeps, 'acme', id, t.clock.now());
    expect(t.wakeUps.take()).toEqual([T0]);
  });

  it('a wake-up that cannot be asked for is a warning, not a failed attempt: the per-minute look retries it', async () => {
    const t = given();
    await t.webhooks.addWebhook(webhook('acme', 'w1'), undefined as never);
    t.wakeUps.failWith = new ThrottlingException({
      message: 'Rate exceeded',
      Message: 'Rate exceeded',
      $metadata: {},
    });
    t.sender.answer = () => ({ status: 503, error: null });
    expect(await deliverEvents(t.delivery, [t.event()])).toMatchObject({ attempted: 1 });
    expect(t.warnings).toEqual(['webhook retry driver not woken; its per-minute look takes the delivery']);
    t.wakeUps.failWith = null;
    const looks = await runDriver(t, '2026-12-01T10:01:30.000Z');
    expect(looks[0]).toEqual({ at: '2026-12-01T10:01:00.000Z', by: 'minute' });
    expect(t.sender.sent.map((s) => s.at)).toEqual([T0, '2026-12-01T10:01:00.000Z']);
  });
});

describe('wake-ups as one-time schedules', () => {
  function given() {
    const calls: CreateScheduleCommand['input'][] = [];
    const client = {
      answer: null as Error | null,
      send: async (command: CreateScheduleCommand) => {
        calls.push(command.input);
        if (client.answer) throw client.answer;
        return { ScheduleArn: 'arn' };
      },
    };
    const clock = new FakeClock('2026-12-01T10:00:00.300Z');
    // Each slot's lease as the table keeps it: until when it is held, or made.
    const marks = new Map<number, number | 'made'>();
    const slots: WakeUpSlots = {
      claim: async (slot, now) => {
        const mark = marks.get(slot.getTime());
        if (mark === 'made' || (mark !== undefined && mark >= now.getTime())) return false;
        marks.set(slot.getTime(), now.getTime() + 10_000);
        return true;
      },
      made: async (slot) => void marks.set(slot.getTime(), 'made'),
      release: async (slot) => void marks.set(slot.getTime(), 0),
    };
    const instance = () =>
      new ScheduledRetryWakeUps(
        client as never,
        { groupName: 'group', functionArn: 'arn:retrier', roleArn: 'arn:role' },
        clock,
        slots,
      );
    return { calls, client, clock, wakeUps: instance(), instance, marks };
  }

  it('a slot marked by another instance is not asked for again: one call per slot, however many senders ask', async () => {
    const t = given();
    const others = [t.instance(), t.instance(), t.instance()];
    await Promise.all([t.wakeUps, ...others].map((w) => w.wakeAt(new Date('2026-12-01T10:00:05.000Z'))));
    expect(t.calls.map((c) => c.Name)).toEqual(['webhook-retries-20261201T100006Z']);
  });

  it('one schedule per slot, at its end (never before the moment asked for), invoking the driver once and deleted after', async () => {
    const t = given();
    await t.wakeUps.wakeAt(new Date('2026-12-01T10:00:05.300Z'));
    await t.wakeUps.wakeAt(new Date('2026-12-01T10:00:04.100Z'));
    await t.wakeUps.wakeAt(new Date('2026-12-01T10:00:05.999Z'));
    await t.wakeUps.wakeAt(new Date('2026-12-01T10:00:06.000Z'));
    expect(t.calls.map((c) => [c.Name, c.ScheduleExpression])).toEqual([
      ['webhook-retries-20261201T100006Z', 'at(2026-12-01T10:00:06)'],
      ['webhook-retries-20261201T100008Z', 'at(2026-12-01T10:00:08)'],
    ]);
    expect(t.calls[0]).toMatchObject({
      GroupName: 'group',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      ClientToken: 'webhook-retries-20261201T100006Z',
      Target: {
        Arn: 'arn:retrier',
        RoleArn: 'arn:role',
        Input: JSON.stringify({ wake: '2026-12-01T10:00:06.000Z' }),
      },
    });
  });

  it('a moment already past wakes the next slot; a slot another sender planned is the same wake-up', async () => {
    const t = given();
    await t.wakeUps.wakeAt(new Date('2026-12-01T09:59:00.000Z'));
    t.client.answer = new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
    await t.wakeUps.wakeAt(new Date('2026-12-01T10:00:09.000Z'));
    // Planned (by someone): not asked again.
    await t.wakeUps.wakeAt(new Date('2026-12-01T10:00:09.500Z'));
    expect(t.calls.map((c) => c.Name)).toEqual([
      wakeScheduleName(new Date('2026-12-01T10:00:02.000Z')),
      wakeScheduleName(new Date('2026-12-01T10:00:10.000Z')),
    ]);
  });

  it('a failure to plan is the caller’s to hear, and the slot is asked for again next time', async () => {
    const t = given();
    t.client.answer = new ThrottlingException({
      message: 'Rate exceeded',
      Message: 'Rate exceeded',
      $metadata: {},
    });
    await expect(t.wakeUps.wakeAt(t.clock.now())).rejects.toThrow('Rate exceeded');
    t.client.answer = null;
    // The mark was taken back: another instance asks for the slot and makes it.
    await t.instance().wakeAt(t.clock.now());
    expect(t.calls).toHaveLength(2);
  });

  it('a sender that asked while another held the slot asks again, and makes it when that one failed', async () => {
    const t = given();
    const b = t.instance();
    let fail: (error: Error) => void = () => {};
    t.client.send = async (command: CreateScheduleCommand) => {
      t.calls.push(command.input);
      if (t.calls.length === 1) return new Promise((_, reject) => (fail = reject));
      return { ScheduleArn: 'arn' };
    };
    const first = t.wakeUps.wakeAt(t.clock.now()).catch(() => 'failed');
    await until(
      async () => t.calls.length,
      (n) => n === 1,
      5_000,
      'the first call',
      5,
    );
    await b.wakeAt(t.clock.now());
    expect(t.calls).toHaveLength(1);
    fail(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: {} }));
    expect(await first).toBe('failed');
    await b.wakeAt(t.clock.now());
    expect(t.calls.map((c) => c.Name)).toEqual([
      'webhook-retries-20261201T100002Z',
      'webhook-retries-20261201T100002Z',
    ]);
  });

  it('a slot whose sender died while asking is taken over once its lease lapses; a made one never again', async () => {
    const t = given();
    const slot = wakeSlot(t.clock.now());
    t.marks.set(slot.getTime(), t.clock.now().getTime() + 10_000);
    await t.wakeUps.wakeAt(t.clock.now());
    expect(t.calls).toHaveLength(0);
    t.clock.advance(1_500);
    t.marks.set(slot.getTime(), t.clock.now().getTime() - 1);
    await t.wakeUps.wakeAt(new Date(slot.getTime() - 1));
    expect(t.calls).toHaveLength(1);
    expect(t.marks.get(slot.getTime())).toBe('made');
    await t.instance().wakeAt(new Date(slot.getTime() - 1));
    expect(t.calls).toHaveLength(1);
  });

  it('a slot once passed may be planned again (its schedule fired and is gone)', async () => {
    const t = given();
    await t.wakeUps.wakeAt(t.clock.now());
    t.clock.set('2026-12-01T10:00:02.000Z');
    await t.wakeUps.wakeAt(new Date('2026-12-01T10:00:01.000Z'));
    expect(t.calls.map((c) => c.Name)).toEqual([
      'webhook-retries-20261201T100002Z',
      'webhook-retries-20261201T100004Z',
    ]);
  });
});
