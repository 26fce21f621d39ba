/**
 * Delivering to customers' webhooks: the stream's sender (deliveries and first attempts), the
 * retry driver over the due deliveries, and one signed attempt. Registering webhooks: webhooks.ts.
 */
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { EventData } from '../domain/audit.ts';
import type { Clock } from '../domain/clock.ts';
import type { Log } from '../domain/ports.ts';
import type { RetryWakeUps } from '../domain/retry-wake-ups.ts';
import { slackText } from '../domain/slack-text.ts';
import {
  CUT_OFF,
  type Delivery,
  type Lane,
  type OutgoingWebhook,
  type SendOutcome,
  type WebhookSender,
  type WebhookStore,
} from '../domain/webhook-store.ts';
import { nextAttemptAt, type StoredWebhook, signingSecrets } from '../domain/webhooks.ts';
import { forEachConcurrently } from './deps.ts';

export interface DeliveryDeps {
  webhooks: WebhookStore;
  clock: Clock;
  log: Log;
  sender: WebhookSender;
  /** Wakes the retry driver for what falls due before its next per-minute look. */
  wakeUps: RetryWakeUps;
}

/** A pending delivery of an event (or a test) to one webhook, due at `dueAt`. */
export function newDelivery(
  webhook: Pick<StoredWebhook, 'tenantId' | 'webhookId'>,
  eventId: string,
  type: Delivery['type'],
  at: string,
  data: Record<string, unknown>,
  dueAt: Date,
  claim: string | null,
): Delivery {
  return {
    tenantId: webhook.tenantId,
    webhookId: webhook.webhookId,
    eventId,
    type,
    at,
    data,
    status: 'pending',
    attempts: 0,
    lastAttemptAt: null,
    // Pending: when it is to be attempted, as the delivery log shows it.
    nextAttemptAt: dueAt.toISOString(),
    responseStatus: null,
    error: null,
    dueAt: dueAt.toISOString(),
    claim,
  };
}

/**
 * How long a driver holds a delivery, and an endpoint's lane: past its attempts' timeout, so two
 * never send at once.
 */
export const CLAIM_MS = 60_000;
/**
 * Attempts in flight to one endpoint at a time, from the stream's sender and from the retry
 * driver each: a slow one holds up only its own deliveries.
 */
export const PER_ENDPOINT_CONCURRENCY = 8;
/**
 * How long the stream's sender waits for first attempts: an attempt still running then is cut
 * off and handed to the retry driver at once, so an endpoint that keeps it waiting holds up the
 * stream (other tenants' first attempts) this long at most. The driver gives it the full 10 s.
 */
export const FIRST_ATTEMPT_BUDGET_MS = 3_000;
/** How many lanes a look takes at a time (their attempts then run side by side). */
const LANES_AT_ONCE = 10;

/**
 * The table stream's consumer of deliverable events, as its event source mapping is set up (the
 * stack and the local runtime): tenants' batches side by side, each tenant's events in order.
 */
export const WEBHOOK_EVENT_SOURCE = { batchSize: 100, parallelizationFactor: 10 } as const;

/**
 * From the table's stream: each deliverable event becomes one delivery per webhook of its tenant
 * that takes its type, attempted at once; then the batch's deliveries are written, each once,
 * with its outcome (a failed one due for its retry). One that is cut off by the budget, not
 * started by then, or for an endpoint failing lately is written unattempted, due at once: the
 * retry driver makes its first attempt. Nothing is written before the attempts, so the driver
 * cannot take a delivery the sender holds. A delivery written already (a record given again)
 * is not written twice; a write that fails throws, and the stream gives the batch again: its
 * attempts may be repeated, with the same `webhook-id`, never lost.
 */
export async function deliverEvents(
  deps: DeliveryDeps,
  events: readonly EventData[],
  budgetMs = FIRST_ATTEMPT_BUDGET_MS,
) {
  const now = deps.clock.now();
  const tenants = [...new Set(events.map((e) => e.tenantId))];
  const lists = await Promise.all(tenants.map((tenantId) => deps.webhooks.listWebhooks(tenantId)));
  const byTenant = new Map(tenants.map((tenantId, i) => [tenantId, lists[i] ?? []]));
  // Whether it is held only where it matters: most tenants have no webhook.
  const withWebhooks = tenants.filter((tenantId) => (byTenant.get(tenantId) ?? []).length > 0);
  const holds = await Promise.all(withWebhooks.map((tenantId) => deps.webhooks.tenantHeldUntil(tenantId)));
  const held = new Set(withWebhooks.filter((_, i) => isBefore(now, holds[i])));
  const toAttempt: Delivery[] = [];
  const handedOn: Delivery[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    for (const webhook of byTenant.get(event.tenantId) ?? []) {
      if (!webhook.eventTypes.includes(event.type)) continue;
      const delivery = newDelivery(webhook, event.eventId, event.type, event.at, { ...event }, now, null);
      const key = `${endpointOf(delivery)}#${delivery.eventId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // An endpoint that failed or kept the stream waiting lately, and every endpoint of a tenant
      // one of whose did so within the minute, gets its attempts from the driver only: the next
      // batch does not wait for them again (however they are removed, added or swapped).
      (held.has(webhook.tenantId) || isFailing(webhook, now) ? handedOn : toAttempt).push(delivery);
    }
  }
  if (seen.size === 0) return { attempted: 0, delivered: 0, handedOn: 0 };
  // Just read: the first attempts need not read each webhook again (retries do, and stop once it is gone).
  const known = new Map([...byTenant.values()].flat().map((w) => [endpointOf(w), w]));
  const result = await attemptWithin(deps, toAttempt, budgetMs, known);
  const written = [...result.outcomes, ...handedOn];
  try {
    await deps.webhooks.writeDeliveries(written);
  } catch (error) {
    deps.log.error('webhook deliveries not written; the stream gives their events again', {
      deliveries: seen.size,
      error: (error as Error).name,
    });
    throw error;
  }
  // What falls due within the minute (handed on: now; a failed first attempt: its 5 s retry)
  // wakes the driver for it; the per-minute look takes what falls due later.
  const soonest = Math.min(
    ...written.flatMap((d) => (d.status === 'pending' && d.dueAt ? [Date.parse(d.dueAt)] : [])),
  );
  if (Number.isFinite(soonest)) await wakeDriverFor(deps, new Date(soonest));
  return {
    attempted: result.attempted,
    delivered: result.delivered,
    handedOn: result.handedOn + handedOn.length,
  };
}

/** How long an endpoint whose attempt failed, or that was slow, gets no first attempt from the stream (a success ends it). */
export const FAILING_FOR_MS = 10 * 60_000;
/**
 * An endpoint whose attempts in a batch took longer than this from the first one's start to the
 * last one's end (or ran past the stream's budget, or did not start before it ended) kept the
 * batch waiting, even if each answered 2xx: it is marked as if it failed, its tenant held.
 */
export const SLOW_ENDPOINT_MS = 1_000;
/**
 * How long a tenant whose endpoints kept the stream's batch waiting twice within this time (two
 * endpoints, or one removed and added again) gets no first attempt from the stream for any of
 * them: a tenant holds up its stream lane twice a minute at most, whatever it does with its
 * endpoints, and one slow endpoint alone keeps its tenant's others on the stream.
 */
export const TENANT_HELD_FOR_MS = 60_000;
/**
 * How long a mark stands before a success at the driver may clear it: an endpoint that answers
 * the driver well and then keeps the stream's next batch waiting does so once a minute at most.
 */
export const FAILING_AT_LEAST_MS = 60_000;

/** The mark of an endpoint found failing at `now`. */
export const failingFrom = (now: Date) => new Date(now.getTime() + FAILING_FOR_MS).toISOString();

const isBefore = (now: Date, until: string | null | undefined) =>
  until != null && now.getTime() < Date.parse(until);

const isFailing = (webhook: StoredWebhook, now: Date) => isBefore(now, webhook.failingUntil);

/** Marked, and the mark has stood FAILING_AT_LEAST_MS (every mark is set for FAILING_FOR_MS). */
const mayClear = (webhook: StoredWebhook, now: Date) =>
  webhook.failingUntil != null &&
  now.getTime() >= Date.parse(webhook.failingUntil) - FAILING_FOR_MS + FAILING_AT_LEAST_MS;

/** Marks an endpoint failing, or clears the mark, when that changes it; a failure to write it only costs a wait. */
async function noteHealth(deps: DeliveryDeps, webhook: StoredWebhook, ok: boolean, now: Date) {
  if (ok ? !mayClear(webhook, now) : isFailing(webhook, now)) return;
  const until = ok ? null : failingFrom(now);
  await deps.webhooks
    .markFailing(webhook.tenantId, webhook.webhookId, until)
    .catch((error) => deps.log.warn('webhook endpoint state not recorded', { error: (error as Error).name }));
}

/**
 * Attempts the deliveries, each endpoint's in turn (PER_ENDPOINT_CONCURRENCY at a time), for at
 * most `budgetMs`: what is still running then is cut off, and it and what has not started come
 * back unattempted, due now. Each endpoint's health is noted once: failing if any attempt
 * failed, was slow, or was cut off; and the tenant of an endpoint that was slow is held.
 */
async function attemptWithin(
  deps: DeliveryDeps,
  deliveries: readonly Delivery[],
  budgetMs: number,
  known: ReadonlyMap<string, StoredWebhook>,
) {
  const byEndpoint = new Map<string, Delivery[]>();
  for (const d of deliveries) byEndpoint.set(endpointOf(d), [...(byEndpoint.get(endpointOf(d)) ?? []), d]);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), budgetMs);
  const outcomes: Delivery[] = [];
  let delivered = 0;
  let handedOn = 0;
  try {
    await Promise.all(
      [...byEndpoint.entries()].map(async ([endpoint, queue]) => {
        const webhook = known.get(endpoint) as StoredWebhook;
        const started = deps.clock.now().getTime();
        let ok = true;
        let slow = false;
        await forEachConcurrently(queue, PER_ENDPOINT_CONCURRENCY, async (delivery) => {
          const at = deps.clock.now();
          const outcome = abort.signal.aborted
            ? null
            : await deps.sender.send(outgoing(webhook, delivery, at), abort.signal);
          if (outcome === null || outcome.error === CUT_OFF) {
            slow = true;
            handedOn++;
            const dueAt = deps.clock.now().toISOString();
            outcomes.push({ ...delivery, dueAt, nextAttemptAt: dueAt });
            return;
          }
          const after = afterAttempt(delivery, outcome, at);
          if (after.status === 'delivered') delivered++;
          else ok = false;
          outcomes.push(after);
        });
        const now = deps.clock.now();
        // However its answers came, the batch waited this long for them.
        if (now.getTime() - started > SLOW_ENDPOINT_MS) slow = true;
        await noteHealth(deps, webhook, ok && !slow, now);
        if (slow) await noteSlow(deps, webhook.tenantId, now);
      }),
    );
  } finally {
    clearTimeout(timer);
  }
  return { outcomes, attempted: deliveries.length - handedOn, delivered, handedOn };
}

/**
 * Notes that an endpoint of the tenant kept the batch waiting; the second time within
 * TENANT_HELD_FOR_MS (another endpoint, or the same one removed and added again) holds the
 * tenant's endpoints from the stream that long. One slow endpoint alone costs its tenant's other
 * endpoints nothing. A failure to write either only costs a wait.
 */
async function noteSlow(deps: DeliveryDeps, tenantId: string, now: Date) {
  try {
    const before = await deps.webhooks.noteSlowEndpoint(tenantId, now.toISOString());
    if (before !== null && now.getTime() - Date.parse(before) < TENANT_HELD_FOR_MS)
      await deps.webhooks.holdTenant(tenantId, new Date(now.getTime() + TENANT_HELD_FOR_MS).toISOString());
  } catch (error) {
    deps.log.warn('webhook tenant hold not recorded', { error: (error as Error).name });
  }
}

/** The delivery with one more attempt, made at `at`, that went as `outcome`: delivered, due for its retry, or failed for good. */
function afterAttempt(delivery: Delivery, outcome: SendOutcome, at: Date): Delivery {
  const attempts = delivery.attempts + 1;
  const ok = isSuccess(outcome);
  const next = ok || outcome.error === 'forbidden-address' ? null : nextAttemptAt(attempts, at);
  return {
    ...delivery,
    attempts,
    lastAttemptAt: at.toISOString(),
    responseStatus: outcome.status,
    error: ok ? null : (outcome.error ?? 'unexpected-status'),
    status: ok ? 'delivered' : next ? 'pending' : 'failed',
    nextAttemptAt: next?.toISOString() ?? null,
    dueAt: next?.toISOString() ?? null,
  };
}

const isSuccess = (outcome: SendOutcome) =>
  outcome.status !== null && outcome.status >= 200 && outcome.status < 300;

const endpointOf = (d: Pick<Delivery, 'tenantId' | 'webhookId'>) => `${d.tenantId}#${d.webhookId}`;

/**
 * How far ahead a look plans: a delivery falling due sooner than this (before the next
 * per-minute look) gets a wake-up of its own, so it is attempted on time, not up to a minute late.
 */
export const WAKE_HORIZON_MS = 60_000;

/**
 * Asks for a look of the driver at `at` when the per-minute look would come too late for it. A
 * failure to ask costs only that wait: the per-minute look takes the delivery all the same.
 */
export async function wakeDriverFor(deps: Pick<DeliveryDeps, 'wakeUps' | 'clock' | 'log'>, at: Date) {
  if (at.getTime() - deps.clock.now().getTime() > WAKE_HORIZON_MS) return;
  await deps.wakeUps.wakeAt(at).catch((error) =>
    deps.log.warn('webhook retry driver not woken; its per-minute look takes the delivery', {
      error: (error as Error).name,
    }),
  );
}

/**
 * The lanes in turns of one per tenant (each turn in the order they want their look): a tenant
 * with many endpoints due, however many it added and removed, takes one place in each turn, so
 * another tenant's lane is among a look's first.
 */
function byTenantInTurn(lanes: readonly Lane[]): Lane[] {
  const turn = new Map<string, number>();
  return lanes
    .map((lane) => {
      const n = turn.get(lane.tenantId) ?? 0;
      turn.set(lane.tenantId, n + 1);
      return { lane, n };
    })
    .sort((a, b) => a.n - b.n)
    .map(({ lane }) => lane);
}

/** How many deliveries of the earlier due partition one look moves into lanes at most. */
const EARLIER_PER_LOOK = 100;
/**
 * How long a look goes on taking lanes (their attempts then run up to 10 s): the rest is the
 * next look's, at once, well within the function's 30 s.
 */
export const LOOK_TAKING_MS = 15_000;

/**
 * The retry driver, one look per invocation: takes every endpoint whose lane wants a look (a
 * retry, a test, a first attempt handed on, or one whose sender stopped before recording it is
 * due) and starts its due deliveries, at most PER_ENDPOINT_CONCURRENCY, under the lane's lease:
 * an endpoint's attempts come from one look at a time, however many run at once, and an
 * endpoint's backlog, however long, costs a look one query and delays no other endpoint. It
 * never waits for time to pass: what falls due later, or did not fit this look, gets a wake-up.
 */
export class RetryDriver {
  private readonly running = new Set<Promise<void>>();
  attempted = 0;
  delivered = 0;
  /** Lanes wanting a look that this one left (past its limit). */
  private leftOver = false;
  /** The soonest next look of a lane this look read or gave back. */
  private soonest: number | null = null;

  constructor(
    private readonly deps: DeliveryDeps,
    private readonly claim: string,
  ) {}

  /**
   * One look: reads the lanes wanting a look within WAKE_HORIZON_MS (every page) and takes those
   * whose time has come, a few at a time, starting their attempts without waiting for them;
   * returns how many it started (it takes no lane once `limit` are). A lane another look holds
   * is that look's to plan.
   */
  async tick(limit = 500): Promise<number> {
    const now = this.deps.clock.now();
    await this.laneEarlierDeliveries(now);
    const lanes = await this.deps.webhooks.lanesToLook(new Date(now.getTime() + WAKE_HORIZON_MS));
    const due = byTenantInTurn(lanes.filter((lane) => Date.parse(lane.lookAt ?? '') <= now.getTime()));
    for (const lane of lanes) if (!due.includes(lane)) this.lookAgainAt(Date.parse(lane.lookAt ?? ''));
    let started = 0;
    await forEachConcurrently(due, LANES_AT_ONCE, async (lane) => {
      const late = this.deps.clock.now().getTime() - now.getTime() >= LOOK_TAKING_MS;
      if (late || started + PER_ENDPOINT_CONCURRENCY > limit) {
        this.leftOver = true;
        return;
      }
      // Its slots are reserved before it is taken: lanes taken side by side stay within `limit`.
      started += PER_ENDPOINT_CONCURRENCY;
      const taken = await this.take(lane);
      started -= PER_ENDPOINT_CONCURRENCY - taken;
    });
    return started;
  }

  /**
   * Deliveries left pending by a version that kept them all in one due partition go into their
   * lanes, a hundred a look: a deploy loses no pending retry.
   */
  private async laneEarlierDeliveries(now: Date) {
    const moved = await this.deps.webhooks.laneEarlierDeliveries(EARLIER_PER_LOOK, now).catch((error) => {
      this.deps.log.warn('webhook deliveries of the earlier due partition not moved', {
        error: (error as Error).name,
      });
      return 0;
    });
    // The index may not show their lanes to this look yet: the next comes at once.
    if (moved > 0) this.leftOver = true;
  }

  /**
   * Takes the lane's lease, reads the endpoint's soonest deliveries and starts those due; once
   * they have ended, gives the lease back with the lane's next look: when the soonest delivery
   * left (one read past those taken bounds the rest) or retried falls due; in a minute at most
   * when the index showed fewer than are pending (one it did not show yet waits no longer).
   */
  private async take(lane: Lane): Promise<number> {
    const { webhooks } = this.deps;
    // Its own time, not the look's: a lane taken late in a long look gets a lease of its own length.
    const now = this.deps.clock.now();
    const until = new Date(now.getTime() + CLAIM_MS);
    let taken: Lane | null;
    let read: Delivery[];
    try {
      taken = await webhooks.takeLane(lane, this.claim, now, until);
      if (!taken) return 0;
      read = await webhooks.laneDeliveries(lane.tenantId, lane.webhookId, PER_ENDPOINT_CONCURRENCY + 1);
    } catch (error) {
      // The other endpoints go on; this one's lease, if taken, lapses within the minute.
      this.deps.log.warn('webhook endpoint not looked at; a later look takes it', {
        tenantId: lane.tenantId,
        webhookId: lane.webhookId,
        error: (error as Error).name,
      });
      return 0;
    }
    const due = read
      .filter((d) => Date.parse(d.dueAt ?? '') <= now.getTime())
      .slice(0, PER_ENDPOINT_CONCURRENCY);
    const next = read.filter((d) => !due.includes(d)).map((d) => Date.parse(d.dueAt ?? ''));
    const claimed = await Promise.all(
      due.map((delivery) =>
        webhooks.claimDelivery(delivery, this.claim, until).then(
          (ok) => {
            // Changed since read (a test brought forward, an index that lagged): the next look reads it again.
            if (!ok) next.push(now.getTime());
            return ok;
          },
          () => {
            // Maybe claimed: due again once that claim would lapse.
            next.push(until.getTime());
            return false;
          },
        ),
      ),
    );
    // Started, not waited for: this look goes on to the next lanes meanwhile.
    const attempts = due.flatMap((delivery, i) =>
      claimed[i] ? [this.attempt({ ...delivery, claim: this.claim }, until, next)] : [],
    );
    this.attempted += attempts.length;
    const run: Promise<void> = Promise.all(attempts)
      .then(async () => {
        const released = this.deps.clock.now().getTime();
        const minute = released + WAKE_HORIZON_MS;
        // Fewer read than pending, though there was room: some are not in the index yet.
        const lagging = read.length < Math.min(taken.pending, PER_ENDPOINT_CONCURRENCY + 1);
        // A backlog's next look is now, not when its oldest fell due: behind every lane that
        // wanted one before, so each endpoint gets its turn however long another's backlog.
        const lookAt = Math.max(released, Math.min(...next, lagging ? minute : Number.POSITIVE_INFINITY));
        // Nothing left: the lane leaves the index (or, written to since, keeps the writer's look).
        const after = await webhooks.releaseLane(
          taken,
          this.claim,
          new Date(Number.isFinite(lookAt) ? lookAt : minute),
        );
        // The writer's look too: a look that found the lane held left it to this one.
        if (after) this.lookAgainAt(Date.parse(after));
      })
      .catch((error) =>
        this.deps.log.warn('webhook endpoint lease not given back; it lapses within the minute', {
          error: (error as Error).name,
        }),
      )
      .finally(() => this.running.delete(run));
    this.running.add(run);
    return attempts.length;
  }

  /** One claimed delivery's attempt; when it falls due again goes into `next`. */
  private async attempt(delivery: Delivery, until: Date, next: number[]): Promise<void> {
    try {
      const after = await attempt(this.deps, delivery, this.claim);
      if (after?.status === 'delivered') this.delivered++;
      if (after?.status === 'pending' && after.dueAt) next.push(Date.parse(after.dueAt));
    } catch (error) {
      // Left claimed: due again once the claim lapses.
      next.push(until.getTime());
      this.deps.log.error('webhook attempt not recorded', {
        tenantId: delivery.tenantId,
        webhookId: delivery.webhookId,
        eventId: delivery.eventId,
        error: (error as Error).name,
      });
    }
  }

  private lookAgainAt(at: number) {
    if (this.soonest === null || at < this.soonest) this.soonest = at;
  }

  /** Waits for every attempt started so far (each ends within its 10 s timeout) and the leases given back. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /**
   * Once its attempts have ended: the next look, at once for what this one left; or when the
   * soonest lane it read or gave back wants it. Nothing within the horizon: no wake-up, the
   * per-minute look will do.
   */
  async plan(): Promise<Date | null> {
    const now = this.deps.clock.now().getTime();
    const candidates = [this.leftOver ? now : null, this.soonest].filter((t): t is number => t !== null);
    if (candidates.length === 0) return null;
    const next = new Date(Math.max(now, Math.min(...candidates)));
    if (next.getTime() - now > WAKE_HORIZON_MS) return null;
    await wakeDriverFor(this.deps, next);
    return next;
  }
}

/** One look of a driver: starts what is due, waits for those attempts, plans the next look. */
export async function retryDueDeliveries(deps: DeliveryDeps, claim: string, limit = 500) {
  const driver = new RetryDriver(deps, claim);
  await driver.tick(limit);
  await driver.settled();
  const next = await driver.plan();
  return {
    attempted: driver.attempted,
    delivered: driver.delivered,
    nextLookAt: next?.toISOString() ?? null,
  };
}

/** One attempt of a claimed delivery, recorded under the claim; null when `signal` cut it off (nothing recorded). */
export async function attempt(
  deps: DeliveryDeps,
  delivery: Delivery,
  claim: string,
  signal?: AbortSignal,
  known?: StoredWebhook,
): Promise<Delivery | null> {
  const webhook = known ?? (await deps.webhooks.getWebhook(delivery.tenantId, delivery.webhookId));
  const at = deps.clock.now();
  if (!webhook) {
    const stopped: Delivery = {
      ...delivery,
      status: 'failed',
      error: 'webhook-removed',
      nextAttemptAt: null,
      dueAt: null,
    };
    await deps.webhooks.settleAttempt(stopped, claim);
    return stopped;
  }
  const outcome = await deps.sender.send(outgoing(webhook, delivery, at), signal);
  if (outcome.error === CUT_OFF) return null;
  // The driver's attempts hold up no batch: its success clears a mark (once it has stood a minute).
  await noteHealth(deps, webhook, isSuccess(outcome), at);
  const after = afterAttempt(delivery, outcome, at);
  if (!(await deps.webhooks.settleAttempt(after, claim)))
    deps.log.warn('webhook attempt made after its claim lapsed', {
      tenantId: delivery.tenantId,
      webhookId: delivery.webhookId,
      eventId: delivery.eventId,
    });
  else if (after.status === 'pending' && after.dueAt) await wakeDriverFor(deps, new Date(after.dueAt));
  return after;
}

/**
 * The request of one attempt. Standard format: the Standard Webhooks body and headers, signed
 * with every secret valid now (two during a rotation). Slack: one sentence, unsigned (Slack's
 * URL is its secret).
 */
export function outgoing(webhook: StoredWebhook, delivery: Delivery, now: Date): OutgoingWebhook {
  if (webhook.format === 'slack') {
    return {
      url: webhook.url,
      headers: { 'content-type': 'application/json' },
      // mrkdwn off: what people typed (`*`, `_`, `~`) is shown as typed, never as formatting.
      body: JSON.stringify({ text: slackText(delivery, webhook.locale), mrkdwn: false }),
    };
  }
  const body = JSON.stringify({ type: delivery.type, timestamp: delivery.at, data: delivery.data });
  const signature = signingSecrets(webhook, now)
    .map((secret) => new StandardWebhook(secret).sign(delivery.eventId, now, body))
    .join(' ');
  return {
    url: webhook.url,
    headers: {
      'content-type': 'application/json',
      'webhook-id': delivery.eventId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body,
  };
}
