import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients.ts';
import { DynamoAudit } from '../../functions/adapters/dynamodb/audit.ts';
import { Table } from '../../functions/adapters/dynamodb/table.ts';
import { DynamoWebhooks } from '../../functions/adapters/dynamodb/webhooks.ts';
import type { EventData } from '../../functions/domain/audit.ts';
import { ulidGenerator } from '../../functions/domain/ids.ts';
import {
  CUT_OFF,
  type Delivery,
  type Lane,
  type OutgoingWebhook,
  type SendOutcome,
  type WebhookSender,
} from '../../functions/domain/webhook-store.ts';
import {
  type DeliveryDeps,
  deliverEvents,
  FAILING_AT_LEAST_MS,
  FAILING_FOR_MS,
  PER_ENDPOINT_CONCURRENCY,
  RetryDriver,
  retryDueDeliveries,
} from '../../functions/use-cases/webhook-delivery.ts';
import {
  addWebhook,
  listDeliveries,
  removeWebhook,
  rotateWebhookSecret,
  testWebhook,
  type WebhookDeps,
} from '../../functions/use-cases/webhooks.ts';
import { FakeClock } from '../support/clock.ts';
import { silentLog, testCursors } from '../support/deps.ts';
import { FakeRetryWakeUps } from '../support/fakes/retry-wake-ups.ts';
import { faultyProxy } from '../support/faulty-proxy.ts';
import { freshTable, localClientConfig } from '../support/table.ts';
import { until } from '../support/until.ts';

/** The library checks the timestamp against its own clock: verify as of the fake clock. */
function verifyAt(now: Date, secret: string, request: OutgoingWebhook | undefined): unknown {
  const real = Date.now;
  Date.now = () => now.getTime();
  try {
    return new StandardWebhook(secret).verify(request?.body ?? '', request?.headers ?? {});
  } finally {
    Date.now = real;
  }
}

class RecordingSender implements WebhookSender {
  readonly sent: OutgoingWebhook[] = [];
  constructor(
    public answer: (request: OutgoingWebhook) => SendOutcome = () => ({ status: 200, error: null }),
  ) {}
  /** Requests to these URLs never get an answer: only the caller's signal ends them. */
  readonly hanging = new Set<string>();
  async send(request: OutgoingWebhook, signal?: AbortSignal): Promise<SendOutcome> {
    this.sent.push(request);
    if (!this.hanging.has(request.url)) return this.answer(request);
    return new Promise((resolve) =>
      signal?.addEventListener('abort', () => resolve({ status: null, error: CUT_OFF }), { once: true }),
    );
  }
}

async function given() {
  const { doc, tableName } = await freshTable();
  const table = new Table(doc, tableName, testCursors());
  const webhooks = new DynamoWebhooks(table);
  const clock = new FakeClock('2026-12-01T10:00:00.000Z');
  const ids = ulidGenerator();
  const sender = new RecordingSender();
  const wakeUps = new FakeRetryWakeUps();
  const deps: WebhookDeps = {
    webhooks,
    clock,
    ids,
    log: silentLog,
    addressPolicy: { allowLoopback: false },
    resolveHost: async () => ['93.184.215.14'],
    wakeUps,
  };
  const delivery: DeliveryDeps = { webhooks, clock, log: silentLog, sender, wakeUps };
  const audit = new DynamoAudit(table);
  const add = (tenantId = 'acme', input: Partial<Parameters<typeof addWebhook>[3]> = {}) =>
    addWebhook(
      deps,
      tenantId,
      'admin@acme.example',
      { url: 'https://hooks.example.com/in', ...input },
      clock.now(),
    );
  const event = (type: EventData['type'] = 'grant.created', tenantId = 'acme'): EventData =>
    ({
      tenantId,
      eventId: ids.next(clock.now()),
      at: clock.now().toISOString(),
      type,
      actor: 'ada@acme.example',
      grantId: null,
      details: { access: true, checkedAt: clock.now().toISOString() },
    }) as EventData;
  return { webhooks, clock, deps, delivery, sender, wakeUps, audit, add, event, tableName, doc };
}

describe('webhooks on DynamoDB Local', () => {
  it('of twelve adds at once exactly ten land (the rest 409 webhook-limit-reached); each with its audit event, no secret in it', async () => {
    const t = await given();
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => t.add()));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason.code).toBe('webhook-limit-reached');
    expect(await t.webhooks.listWebhooks('acme')).toHaveLength(10);
    const events = (await t.audit.listEvents('acme', { limit: 100 })).items;
    expect(events.filter((e) => e.type === 'webhook.added')).toHaveLength(10);
    const secrets = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.secret] : []));
    expect(JSON.stringify(events)).not.toMatch(/whsec_/);
    for (const secret of secrets) expect(secret).toMatch(/^whsec_/);
    // Another tenant is not limited by this one's ten; a removal makes room.
    await expect(t.add('other')).resolves.toBeTruthy();
    const [first] = await t.webhooks.listWebhooks('acme');
    await removeWebhook(t.deps, 'acme', first?.webhookId as string, 'admin@acme.example', t.clock.now());
    await expect(t.add()).resolves.toBeTruthy();
    await expect(t.add()).rejects.toMatchObject({ code: 'webhook-limit-reached' });
    const types = (await t.audit.listEvents('acme', { limit: 100 })).items.map((e) => e.type);
    expect(types.filter((type) => type === 'webhook.removed')).toHaveLength(1);
  });

  it.each([
    [
      'a Slack URL, its channel’s secret',
      'https://hooks.slack.com/services/T0/B0/secretpart',
      'slack',
      'https://hooks.slack.com/…',
    ],
    [
      'a collector’s key in the path',
      'https://intake.example/v1/input/secretpart',
      'standard',
      'https://intake.example/…',
    ],
    [
      'a collector’s key in the query',
      'https://logs.example/in?dd-api-key=secretpart',
      'standard',
      'https://logs.example/…',
    ],
  ] as const)(
    '%s: the audit event (delivered to the bus and other webhooks) keeps only scheme and host',
    async (_, url, format, kept) => {
      const t = await given();
      await t.add('acme', { url, format });
      const [event] = (await t.audit.listEvents('acme', { limit: 10 })).items;
      expect(event?.details).toMatchObject({ url: kept, format });
      expect(JSON.stringify(event)).not.toContain('secretpart');
      // The tenant's own list still shows the whole URL it registered.
      expect((await t.webhooks.listWebhooks('acme'))[0]?.url).toBe(url);
    },
  );

  it('registration resolves the host: a name with an internal address is refused, nothing stored', async () => {
    const t = await given();
    t.deps.resolveHost = async () => ['93.184.215.14', '10.0.0.7'];
    await expect(t.add()).rejects.toMatchObject({ code: 'validation-failed', errors: [{ path: 'url' }] });
    expect(await t.webhooks.listWebhooks('acme')).toEqual([]);
    expect((await t.audit.listEvents('acme', { limit: 10 })).items).toEqual([]);
  });

  it('delivers each event to the webhooks of its tenant that take its type, signed; a repeated stream record writes nothing twice (its attempt, if repeated, has the same webhook-id)', async () => {
    const t = await given();
    const all = await t.add();
    const onlyChecks = await t.add('acme', { eventTypes: ['access.checked'] });
    const other = await t.add('other');
    const created = t.event('grant.created');
    await deliverEvents(t.delivery, [created]);
    const firstAt = t.clock.now().toISOString();
    t.clock.advance(1_000);
    await deliverEvents(t.delivery, [created]);
    expect(t.sender.sent.map((s) => s.url)).toEqual([all.url, all.url]);
    expect(new Set(t.sender.sent.map((s) => s.headers['webhook-id']))).toEqual(new Set([created.eventId]));
    const [request] = t.sender.sent;
    expect(verifyAt(t.clock.now(), all.secret, request)).toMatchObject({
      type: 'grant.created',
      data: { eventId: created.eventId, tenantId: 'acme' },
    });
    const page = await listDeliveries(t.deps, 'acme', all.webhookId, { limit: 10 });
    expect(page.deliveries).toEqual([
      {
        eventId: created.eventId,
        type: 'grant.created',
        status: 'delivered',
        attempts: 1,
        lastAttemptAt: firstAt,
        nextAttemptAt: null,
        responseStatus: 200,
        error: null,
      },
    ]);
    expect((await listDeliveries(t.deps, 'acme', onlyChecks.webhookId, { limit: 10 })).deliveries).toEqual(
      [],
    );
    expect((await listDeliveries(t.deps, 'other', other.webhookId, { limit: 10 })).deliveries).toEqual([]);
    // Another tenant's webhook is not found under this tenant.
    await expect(listDeliveries(t.deps, 'acme', other.webhookId, { limit: 10 })).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('retries on the schedule from the table (a new driver, as after a restart), then fails after 8 attempts', async () => {
    const t = await given();
    const hook = await t.add();
    t.sender.answer = () => ({ status: 500, error: null });
    await deliverEvents(t.delivery, [t.event()]);
    const status = async () =>
      (await listDeliveries(t.deps, 'acme', hook.webhookId, { limit: 1 })).deliveries[0];
    expect(await status()).toMatchObject({ status: 'pending', attempts: 1, responseStatus: 500 });
    // The failed attempt asked for a look when its retry falls due.
    const failedAt = t.clock.now().getTime();
    expect(t.wakeUps.take()).toEqual([new Date(failedAt + 5_000).toISOString()]);
    // Not due yet: nothing is sent, and the look read on to it, for its wake-up (the index's order).
    t.clock.advance(4_000);
    expect(await retryDueDeliveries(t.delivery, 'driver-a')).toEqual({
      attempted: 0,
      delivered: 0,
      nextLookAt: new Date(failedAt + 5_000).toISOString(),
    });
    for (const [i, wait] of [5, 300, 1800, 7200, 18_000, 36_000, 36_000].entries()) {
      t.clock.advance(wait * 1000);
      expect((await retryDueDeliveries(t.delivery, `driver-${i}`)).attempted, `retry ${i + 2}`).toBe(1);
    }
    expect(await status()).toMatchObject({ status: 'failed', attempts: 8, nextAttemptAt: null });
    t.clock.advance(100_000_000);
    expect((await retryDueDeliveries(t.delivery, 'late')).attempted).toBe(0);
    expect(t.sender.sent).toHaveLength(8);
    expect(new Set(t.sender.sent.map((s) => s.headers['webhook-id'])).size).toBe(1);
  });

  it('two drivers at once: each due attempt is made by one of them only', async () => {
    const t = await given();
    await t.add();
    t.sender.answer = () => ({ status: null, error: 'timeout' });
    await deliverEvents(t.delivery, [t.event(), t.event(), t.event()]);
    t.clock.advance(6_000);
    const [a, b] = await Promise.all([
      retryDueDeliveries(t.delivery, 'driver-a'),
      retryDueDeliveries(t.delivery, 'driver-b'),
    ]);
    expect((a?.attempted ?? 0) + (b?.attempted ?? 0)).toBe(3);
    expect(t.sender.sent).toHaveLength(6);
  });

  it('removing a webhook stops its pending retries: no further attempt', async () => {
    const t = await given();
    const hook = await t.add();
    t.sender.answer = () => ({ status: 503, error: null });
    await deliverEvents(t.delivery, [t.event()]);
    await removeWebhook(t.deps, 'acme', hook.webhookId, 'admin@acme.example', t.clock.now());
    t.clock.advance(10_000);
    await retryDueDeliveries(t.delivery, 'driver');
    t.clock.advance(100_000_000);
    await retryDueDeliveries(t.delivery, 'driver-2');
    expect(t.sender.sent).toHaveLength(1);
    expect((await t.webhooks.listDeliveries('acme', hook.webhookId, { limit: 1 })).items[0]).toMatchObject({
      status: 'failed',
      error: 'webhook-removed',
      attempts: 1,
      dueAt: null,
    });
    // Nothing of it pending: its lane has left the index.
    expect(await t.webhooks.lanesToLook(new Date('2030-01-01T00:00:00.000Z'))).toEqual([]);
  });

  it('a lane’s lease, taken or given back while a batch’s transaction counts on the lane (TransactionConflict), is tried again, never lost', async () => {
    const t = await given();
    const hook = await t.add();
    t.sender.answer = () => ({ status: 503, error: null });
    await deliverEvents(t.delivery, [t.event()]);
    t.clock.advance(6_000);
    const proxy = await faultyProxy(inject('dynamoEndpoint'));
    onTestFinished(proxy.close);
    const client = new DynamoDBClient(localClientConfig(proxy.endpoint, 1));
    const webhooks = new DynamoWebhooks(new Table(dynamoDocumentClient(client), t.tableName, testCursors()));
    const conflict = () => ({
      operation: 'UpdateItem',
      times: 2,
      status: 400,
      errorType: 'TransactionConflictException',
    });
    proxy.inject(conflict());
    const lane = await webhooks.takeLane(
      { tenantId: 'acme', webhookId: hook.webhookId },
      'driver',
      t.clock.now(),
      new Date(t.clock.now().getTime() + 60_000),
    );
    expect(lane).toMatchObject({ pending: 1, leaseHolder: 'driver' });
    proxy.inject(conflict());
    await webhooks.releaseLane(lane as Lane, 'driver', new Date(t.clock.now().getTime() + 30_000));
    expect(proxy.seen.filter((op) => op === 'UpdateItem')).toHaveLength(6);
    expect(await t.webhooks.lanesToLook(new Date('2030-01-01T00:00:00.000Z'))).toMatchObject([
      { pending: 1, leaseHolder: null, lookAt: '2026-12-01T10:00:36.000Z' },
    ]);
  });

  it('two looks at once: an endpoint that never answers has eight of the driver’s attempts in flight, not sixteen; the other endpoint is served', async () => {
    const t = await given();
    const slow = await t.add('slow', { url: 'https://slow.example.com/in' });
    const fast = await t.add('fast', { url: 'https://fast.example.com/in' });
    t.sender.hanging.add(slow.url);
    // Handed on unattempted (the stream's budget spent at once), all due now.
    await deliverEvents(
      t.delivery,
      Array.from({ length: 20 }, () => t.event('grant.created', 'slow')),
      0,
    );
    await testWebhook(t.deps, 'fast', fast.webhookId, t.clock.now());
    t.sender.sent.length = 0;
    const looks = [new RetryDriver(t.delivery, 'driver-a'), new RetryDriver(t.delivery, 'driver-b')];
    const started = await Promise.all(looks.map((look) => look.tick()));
    expect(started.reduce((a, b) => a + b, 0)).toBe(PER_ENDPOINT_CONCURRENCY + 1);
    // Later in the minute, while they hang, another look starts none of them.
    t.clock.advance(30_000);
    expect(await new RetryDriver(t.delivery, 'driver-c').tick()).toBe(0);
    expect(t.sender.sent.filter((r) => r.url === slow.url)).toHaveLength(PER_ENDPOINT_CONCURRENCY);
    expect(t.sender.sent.filter((r) => r.url === fast.url)).toHaveLength(1);
  });

  it('a rotation: the next delivery carries both signatures; a test goes to that webhook only', async () => {
    const t = await given();
    const hook = await t.add();
    const second = await t.add();
    const { secret } = await rotateWebhookSecret(
      t.deps,
      'acme',
      hook.webhookId,
      'admin@acme.example',
      t.clock.now(),
    );
    expect(secret).not.toBe(hook.secret);
    const events = (await t.audit.listEvents('acme', { limit: 10 })).items;
    expect(events[0]?.type).toBe('webhook.secret-rotated');
    expect(JSON.stringify(events)).not.toMatch(/whsec_/);
    const { eventId } = await testWebhook(t.deps, 'acme', hook.webhookId, t.clock.now());
    expect((await retryDueDeliveries(t.delivery, 'driver')).attempted).toBe(1);
    const [request] = t.sender.sent;
    expect(request?.url).toBe(hook.url);
    expect(request?.headers['webhook-id']).toBe(eventId);
    expect(request?.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const key of [hook.secret, secret])
      expect(verifyAt(t.clock.now(), key, request)).toMatchObject({
        type: 'webhook.test',
        data: { tenantId: 'acme', webhookId: hook.webhookId },
      });
    expect((await listDeliveries(t.deps, 'acme', second.webhookId, { limit: 5 })).deliveries).toEqual([]);
  });

  it('forbidden-address at delivery fails at once, without retries', async () => {
    const t = await given();
    const hook = await t.add();
    t.sender.answer = () => ({ status: null, error: 'forbidden-address' });
    await deliverEvents(t.delivery, [t.event()]);
    expect((await listDeliveries(t.deps, 'acme', hook.webhookId, { limit: 1 })).deliveries[0]).toMatchObject({
      status: 'failed',
      error: 'forbidden-address',
      attempts: 1,
      nextAttemptAt: null,
    });
    t.clock.advance(100_000);
    expect((await retryDueDeliveries(t.delivery, 'driver')).attempted).toBe(0);
  });

  it('isolation: an endpoint that never answers holds up the stream’s sender only for its budget, and the driver only in its own slots', async () => {
    const t = await given();
    const slow = await t.add('slow', { url: 'https://slow.example.com/in' });
    const fast = await t.add('zz-fast', { url: 'https://fast.example.com/in' });
    t.sender.hanging.add(slow.url);
    const started = Date.now();
    const first = await deliverEvents(
      t.delivery,
      [
        ...Array.from({ length: 10 }, () => t.event('grant.created', 'slow')),
        t.event('grant.created', 'zz-fast'),
      ],
      300,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(first).toEqual({ attempted: 1, delivered: 1, handedOn: 10 });
    // Handed on unattempted and due at once: the driver makes the first attempt.
    const handedOn = (await t.webhooks.listDeliveries('slow', slow.webhookId, { limit: 20 })).items;
    expect(handedOn.map((d) => [d.status, d.attempts, d.claim, d.dueAt])).toEqual(
      Array(10).fill(['pending', 0, null, t.clock.now().toISOString()]),
    );
    // The driver starts as many of the slow endpoint's as it has slots, and does not wait for them.
    const driver = new RetryDriver(t.delivery, 'driver');
    expect(await driver.tick()).toBe(PER_ENDPOINT_CONCURRENCY);
    // Meanwhile the fast endpoint's next delivery (a test) goes out on the next look.
    await testWebhook(t.deps, 'zz-fast', fast.webhookId, t.clock.now());
    expect(await driver.tick()).toBe(1);
    await until(
      async () => (await t.webhooks.listDeliveries('zz-fast', fast.webhookId, { limit: 5 })).items,
      (items) => items.length === 2 && items.every((d) => d.status === 'delivered'),
      5_000,
      'the fast endpoint served',
    );
    // First attempts in its slots before the cut-off, then the driver's in its slots.
    expect(t.sender.sent.filter((r) => r.url === slow.url)).toHaveLength(2 * PER_ENDPOINT_CONCURRENCY);
  });

  it('a hanging endpoint with 600 due deliveries does not hide another tenant’s due test: it goes out on the next look', async () => {
    const t = await given();
    const evil = await t.add('evil', { url: 'https://evil.example.com/in' });
    const victim = await t.add('victim', { url: 'https://victim.example.com/in' });
    t.sender.hanging.add(evil.url);
    // 600 of its events handed on to the driver (cut off by the stream's budget), all due now.
    await deliverEvents(
      t.delivery,
      Array.from({ length: 600 }, () => t.event('grant.created', 'evil')),
      0,
    );
    t.clock.advance(1);
    await testWebhook(t.deps, 'victim', victim.webhookId, t.clock.now());
    t.sender.sent.length = 0;
    const driver = new RetryDriver(t.delivery, 'driver');
    expect(await driver.tick()).toBe(PER_ENDPOINT_CONCURRENCY + 1);
    t.clock.advance(1_000);
    expect(await driver.tick()).toBe(0);
    expect(t.sender.sent.filter((r) => r.url === victim.url)).toHaveLength(1);
    expect(t.sender.sent.filter((r) => r.url === evil.url)).toHaveLength(PER_ENDPOINT_CONCURRENCY);
  }, 60_000);

  it('one pending test per webhook: of three at once one is written, the others 409 webhook-test-pending; waiting for a retry, a new test retries it now', async () => {
    const t = await given();
    const hook = await t.add();
    const other = await t.add();
    const tries = await Promise.allSettled(
      Array.from({ length: 3 }, () => testWebhook(t.deps, 'acme', hook.webhookId, t.clock.now())),
    );
    const written = tries.filter((r) => r.status === 'fulfilled');
    expect(written).toHaveLength(1);
    for (const r of tries.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'webhook-test-pending' });
    // Another webhook's test is its own.
    await testWebhook(t.deps, 'acme', other.webhookId, t.clock.now());
    t.sender.answer = () => ({ status: 503, error: null });
    await retryDueDeliveries(t.delivery, 'driver');
    // Waiting for its retry (in 5 s): a new test is that retry, now; once more while it is due: 409.
    t.clock.advance(1_000);
    const again = await testWebhook(t.deps, 'acme', hook.webhookId, t.clock.now());
    expect(again.eventId).toBe(written[0]?.value.eventId);
    await expect(testWebhook(t.deps, 'acme', hook.webhookId, t.clock.now())).rejects.toMatchObject({
      code: 'webhook-test-pending',
    });
    t.sender.answer = () => ({ status: 204, error: null });
    expect((await retryDueDeliveries(t.delivery, 'driver')).attempted).toBe(1);
    await testWebhook(t.deps, 'acme', hook.webhookId, t.clock.now());
    expect(
      (await t.webhooks.listDeliveries('acme', hook.webhookId, { limit: 5 })).items.map((d) => [
        d.status,
        d.attempts,
      ]),
    ).toEqual([
      ['pending', 0],
      ['delivered', 2],
    ]);
  });

  it('an endpoint that failed lately gets no first attempt from the stream: a batch with its events and another tenant’s does not wait for it', async () => {
    const t = await given();
    const slow = await t.add('slow', { url: 'https://slow.example.com/in' });
    await t.add('other', { url: 'https://other.example.com/in' });
    t.sender.answer = (r) =>
      r.url === slow.url ? { status: 503, error: null } : { status: 200, error: null };
    await deliverEvents(t.delivery, [t.event('grant.created', 'slow')]);
    expect((await t.webhooks.getWebhook('slow', slow.webhookId))?.failingUntil).toBeTruthy();
    // Now it hangs: the next batch does not wait the budget (3 s) for it.
    t.sender.hanging.add(slow.url);
    t.sender.sent.length = 0;
    const started = Date.now();
    const result = await deliverEvents(t.delivery, [
      t.event('grant.created', 'slow'),
      t.event('grant.created', 'other'),
    ]);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(result).toEqual({ attempted: 1, delivered: 1, handedOn: 1 });
    expect(t.sender.sent.map((r) => r.url)).toEqual(['https://other.example.com/in']);
    // Its delivery is the driver's, due at once; a success there, once the mark has stood a minute, ends it.
    const [handed] = (await t.webhooks.listDeliveries('slow', slow.webhookId, { limit: 1 })).items;
    expect(handed).toMatchObject({
      status: 'pending',
      attempts: 0,
      claim: null,
      dueAt: t.clock.now().toISOString(),
    });
    t.sender.hanging.delete(slow.url);
    t.sender.answer = () => ({ status: 200, error: null });
    t.clock.advance(FAILING_AT_LEAST_MS);
    await retryDueDeliveries(t.delivery, 'driver');
    expect((await t.webhooks.getWebhook('slow', slow.webhookId))?.failingUntil).toBeNull();
    t.sender.sent.length = 0;
    await deliverEvents(t.delivery, [t.event('grant.created', 'slow')]);
    expect(t.sender.sent.map((r) => r.url)).toEqual([slow.url]);
  });

  it('an endpoint that keeps the stream waiting past its budget is marked failing too', async () => {
    const t = await given();
    const slow = await t.add('slow', { url: 'https://slow.example.com/in' });
    t.sender.hanging.add(slow.url);
    await deliverEvents(t.delivery, [t.event('grant.created', 'slow')], 100);
    expect((await t.webhooks.getWebhook('slow', slow.webhookId))?.failingUntil).toBe(
      new Date(t.clock.now().getTime() + FAILING_FOR_MS).toISOString(),
    );
  });

  /** A pending delivery as the store wrote it before each endpoint had its lane (one due partition). */
  const putEarlier = (
    t: Awaited<ReturnType<typeof given>>,
    webhookId: string,
    eventId: string,
    dueAt: string,
    claim: string | null = null,
  ) =>
    t.doc.send(
      new PutCommand({
        TableName: t.tableName,
        Item: {
          pk: 'TENANT#acme',
          sk: `DELIVERY#${webhookId}#${eventId}`,
          kind: 'webhook-delivery',
          tenantId: 'acme',
          webhookId,
          eventId,
          type: 'grant.created',
          at: t.clock.now().toISOString(),
          data: { tenantId: 'acme', eventId },
          status: 'pending',
          attempts: 1,
          lastAttemptAt: t.clock.now().toISOString(),
          nextAttemptAt: dueAt,
          responseStatus: 503,
          error: 'unexpected-status',
          dueAt,
          claim,
          gsi1pk: 'WEBHOOK-DUE',
          gsi1sk: `${dueAt}#acme#${webhookId}#${eventId}`,
        },
      }),
    );
  const looksUntilAttempted = async (t: Awaited<ReturnType<typeof given>>) => {
    const looks = [await retryDueDeliveries(t.delivery, 'driver')];
    while (looks.at(-1)?.attempted === 0 && looks.length < 5)
      looks.push(await retryDueDeliveries(t.delivery, 'driver'));
    return looks;
  };

  it('deliveries left pending in the one due partition of before the lanes are moved into their lane when due and retried: a deploy loses no retry, and one due later does not hold back one due now', async () => {
    const t = await given();
    const hook = await t.add();
    const now = t.clock.now().toISOString();
    const later = new Date(t.clock.now().getTime() + 10 * 3600_000).toISOString();
    await putEarlier(t, hook.webhookId, '01JEARLIERDELIVERY00000001', now);
    await putEarlier(t, hook.webhookId, '01JEARLIERDELIVERY00000002', later);
    const looks = await looksUntilAttempted(t);
    // Moved, and the next look asked for at once (the index may not show its lane yet).
    expect(looks[0]?.nextLookAt).toBe(now);
    expect(looks.at(-1)).toMatchObject({ attempted: 1, delivered: 1 });
    const stored = (await t.webhooks.listDeliveries('acme', hook.webhookId, { limit: 5 })).items;
    expect(stored.map((d) => [d.eventId, d.status, d.attempts])).toEqual([
      ['01JEARLIERDELIVERY00000002', 'pending', 1],
      ['01JEARLIERDELIVERY00000001', 'delivered', 2],
    ]);
    // Ten hours on, the other is moved and retried too.
    t.clock.set(later);
    expect((await looksUntilAttempted(t)).at(-1)).toMatchObject({ attempted: 1, delivered: 1 });
    expect(await t.webhooks.laneEarlierDeliveries(100, t.clock.now())).toBe(0);
  });

  it('one an earlier driver holds is moved only once its claim lapsed, and that driver can no longer record on it', async () => {
    const t = await given();
    const hook = await t.add();
    const lapses = new Date(t.clock.now().getTime() + 30_000).toISOString();
    await putEarlier(t, hook.webhookId, '01JEARLIERDELIVERY00000003', lapses, 'earlier-driver');
    expect(await t.webhooks.laneEarlierDeliveries(100, t.clock.now())).toBe(0);
    t.clock.advance(31_000);
    expect(await t.webhooks.laneEarlierDeliveries(100, t.clock.now())).toBe(1);
    const [moved] = (await t.webhooks.listDeliveries('acme', hook.webhookId, { limit: 1 })).items;
    expect(moved?.claim).toBeNull();
    expect(
      await t.webhooks.settleAttempt(
        { ...(moved as Delivery), status: 'delivered', dueAt: null },
        'earlier-driver',
      ),
    ).toBe(false);
    expect((await looksUntilAttempted(t)).at(-1)).toMatchObject({ attempted: 1, delivered: 1 });
  });

  it('two rotations at once both succeed, and a delivery verifies with the secret before them and with each new one', async () => {
    const t = await given();
    const hook = await t.add();
    const rotate = () =>
      rotateWebhookSecret(t.deps, 'acme', hook.webhookId, 'admin@acme.example', t.clock.now());
    const answers = await Promise.all([rotate(), rotate()]);
    await testWebhook(t.deps, 'acme', hook.webhookId, t.clock.now());
    await retryDueDeliveries(t.delivery, 'driver');
    const [request] = t.sender.sent;
    for (const key of [hook.secret, ...answers.map((a) => a.secret)])
      expect(verifyAt(t.clock.now(), key, request)).toMatchObject({ type: 'webhook.test' });
    expect(
      (await t.audit.listEvents('acme', { limit: 5 })).items.filter(
        (e) => e.type === 'webhook.secret-rotated',
      ),
    ).toHaveLength(2);
  });
});
