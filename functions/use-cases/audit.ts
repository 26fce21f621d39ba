import { accessCheckedEvent, type StampedCheck } from '../domain/access-check.ts';
import { type AuditEvent, publicEvent } from '../domain/audit.ts';
import { chainHash, GENESIS_HASH } from '../domain/audit-chain.ts';
import type { Clock } from '../domain/clock.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import type { EventDetails } from '../domain/event-types.ts';
import { effectiveGrant, type Grant, publicGrant, TICKET_MAX } from '../domain/grant.ts';
import { idTimePrefix } from '../domain/ids.ts';
import type {
  AuditChainStore,
  ChainHead,
  ChainPending,
  ChainTail,
  CheckMark,
  CheckRecordStore,
  CheckState,
  CountedCheck,
  GrantStore,
  Log,
  PageRequest,
  ReceiptStore,
  SealedEvent,
} from '../domain/ports.ts';
import { assertSingleLine, charLength, shorten } from '../domain/text.ts';
import { forEachConcurrently, type Needs, type Stores } from './deps.ts';
import { newEvent } from './events.ts';

/**
 * How long after its id was made an event may still be committed: a request's events carry the
 * time it arrived, and a function runs at most 10 s (its timeout) plus the flight of its last
 * write. The chain only takes events older than this, so it never has to put one before a link
 * it already made.
 */
export const CHAIN_SETTLE_MS = 20_000;

/**
 * The chaining step's event source (the CDK event source mapping and the local stream poller):
 * records gather for as long as events take to settle before one invocation gets them, so a
 * batch's first events are settled when it arrives and the function never waits for any.
 */
export const CHAIN_EVENT_SOURCE = {
  batchSize: 100,
  maxBatchingWindowSeconds: CHAIN_SETTLE_MS / 1000,
} as const;
/** Events chained per transaction (a transaction holds 100 items: these and the head). */
const CHAIN_BATCH = 99;

export interface ChainDeps {
  chain: AuditChainStore;
  clock: Clock;
  log: Log;
}

/**
 * Chains the tenant's settled events after its head, oldest first, a batch per transaction. Safe
 * to run concurrently and repeatedly: a batch is written only while the head is still the one it
 * was computed from; the loser re-reads and goes on from the new head.
 */
export async function chainAuditLog(
  deps: ChainDeps,
  tenantId: string,
  settleMs = CHAIN_SETTLE_MS,
  bound?: Date,
  /** The head as just read, when the caller has read it already. */
  headRead?: ChainHead | null,
  /** When to stop after the batch in hand (epoch ms): `more` says events were left. */
  until?: number,
): Promise<{ chained: number; head: string | null; more?: true }> {
  let chained = 0;
  let lost: ChainHead | null | undefined;
  for (let round = 0; round < 1000; round++) {
    const head = round === 0 && headRead !== undefined ? headRead : await deps.chain.getChainHead(tenantId);
    if (lost !== undefined && sameHead(head, lost)) {
      // Lost a race, yet nobody moved the head: events after it are chained already. The head
      // was deleted or rewound; re-chaining would fork the log, so stop and say so (alarmed).
      throw new Error(
        `The audit chain head of ${tenantId} is behind its chained events; it is not rewritten.`,
      );
    }
    const before = new Date(Math.min(deps.clock.now().getTime() - settleMs, bound?.getTime() ?? Infinity));
    const events = await deps.chain.eventsToChain(tenantId, head?.eventId ?? null, before, CHAIN_BATCH);
    if (events.length === 0) return { chained, head: head?.hash ?? null };
    const sealed = seal(head, events);
    try {
      await deps.chain.chainEvents(tenantId, head, sealed);
      chained += sealed.length;
      lost = undefined;
      // A batch short of the limit was everything settled: no need to ask again.
      if (events.length < CHAIN_BATCH) return { chained, head: sealed.at(-1)?.hash ?? null };
      if (until !== undefined && deps.clock.now().getTime() >= until)
        return { chained, head: sealed.at(-1)?.hash ?? null, more: true };
    } catch (error) {
      if ((error as Error).name !== 'ConcurrentModificationError') throw error;
      lost = head;
      deps.log.info('audit chain moved on while chaining; continuing from its new head', { tenantId });
    }
  }
  throw new Error(`The audit chain of ${tenantId} kept moving; it is chained on the next run.`);
}

/** Tenants chained at the same time within one invocation. */
const CONCURRENT_CHAINS = 16;
/**
 * How long one invocation starts chaining (it finishes the transaction in hand): tenants it did
 * not get to go into the note and come back with the next batch, so no invocation grows with a
 * burst's backlog. Not less: a tenant noted while the stream is quiet waits a whole window (at
 * 0.8 s on a busy machine the chain's lag at idle went from 41 to 79 s at p99).
 */
export const CHAIN_BUDGET_MS = 5_000;

export interface PendingChained {
  /** Events chained. */
  chained: number;
  /** Tenants whose chain this run moved on (or found nothing to chain). */
  visited: number;
  /** Tenants left in a note for later: some of their events had not settled. */
  later: number;
  /** When the oldest event this run chained was made (its lag). */
  oldest: Date | null;
}

/**
 * The chaining step for what the stream brought: every tenant whose events have settled (made
 * more than the settle time ago) is chained now; one whose newest events have not is named in a
 * note, whose stream record brings it back after the event source's batching window — so no
 * invocation ever waits for events to settle, and nothing waits for a tenant's next event. A
 * tenant carried into the note is not read at all.
 *
 * Its round trips: one batch read of every tenant's check state, and for each tenant, side by
 * side with it, one query of its unchained tail (which names the head too) and one transaction.
 */
export async function chainPending(
  deps: ChainDeps & { checks: Pick<CheckRecordStore, 'checkStates'> },
  pending: readonly ChainPending[],
  settleMs = CHAIN_SETTLE_MS,
  budgetMs = CHAIN_BUDGET_MS,
): Promise<PendingChained> {
  const until = deps.clock.now().getTime() + budgetMs;
  const byTenant = new Map<string, ChainPending>();
  for (const p of pending) {
    const known = byTenant.get(p.tenantId);
    // ISO instants: their text order is their time order.
    const times = known ? [p.from, p.to, known.from, known.to].sort() : [p.from, p.to];
    byTenant.set(p.tenantId, { tenantId: p.tenantId, from: times[0] as string, to: times.at(-1) as string });
  }
  const settled = deps.clock.now().getTime() - settleMs;
  // Nothing of it settled yet: carried into the note unread. (Waiting for all of a tenant's
  // events to settle saved a pass in bursts but cost a window of lag at idle: measured.)
  const later = [...byTenant.values()].filter((p) => Date.parse(p.from) >= settled);
  const ready = [...byTenant.values()].filter((p) => Date.parse(p.from) < settled);
  // With no time left at all, every tenant is noted unread.
  if (deps.clock.now().getTime() >= until) later.push(...ready.splice(0));
  const result: PendingChained = { chained: 0, visited: 0, later: 0, oldest: null };
  // Read once for all: a check stamped after this read was decided at most a function's run
  // before it, and every tail below is read before the budget ends, 5 s later at most, so such a
  // check lies past the settle line of every tail (as when each tenant read its own).
  const states = ready.length > 0 ? deps.checks.checkStates(ready.map((p) => p.tenantId)) : undefined;
  // Awaited by every tenant below; a failure fails the run (the stream delivers the batch again).
  states?.catch(() => undefined);
  await forEachConcurrently(ready, CONCURRENT_CHAINS, async (p) => {
    if (deps.clock.now().getTime() >= until) {
      later.push(p);
      return;
    }
    const [tail, state] = await Promise.all([
      deps.chain.unchainedTail(p.tenantId, new Date(deps.clock.now().getTime() - settleMs), CHAIN_BATCH),
      states as Promise<Map<string, CheckState>>,
    ]);
    const bound = boundOf(state.get(p.tenantId), settleMs);
    const run = bound === null ? null : await chainTenant(deps, p.tenantId, settleMs, bound, tail, until);
    result.chained += run?.chained ?? 0;
    result.visited++;
    const from = new Date(p.from);
    if (!result.oldest || from < result.oldest) result.oldest = from;
    if (run?.more) {
      later.push(p);
      return;
    }
    // Events from `to` back to the settle line are chained when the note comes back.
    if (Date.parse(p.to) >= settled) later.push({ tenantId: p.tenantId, from: p.to, to: p.to });
  });
  if (later.length > 0) await deps.chain.chainLater(later);
  result.later = later.length;
  return result;
}

/**
 * Chains a tenant's tail as read, in one transaction conditioned on the head that tail names.
 * When the tail could not be read whole, or the head moved meanwhile (another chainer), it goes
 * on as `chainAuditLog` does: from the head read again, a batch at a time.
 */
async function chainTenant(
  deps: ChainDeps,
  tenantId: string,
  settleMs: number,
  bound: Date | undefined,
  tail: ChainTail | null,
  until: number,
): Promise<{ chained: number; more?: true }> {
  if (tail) {
    const limit = bound ? idTimePrefix(bound) : null;
    const events = limit === null ? tail.events : tail.events.filter((e) => e.eventId < limit);
    if (events.length === 0) return { chained: 0 };
    try {
      await deps.chain.chainEvents(tenantId, tail.head, seal(tail.head, events));
      return { chained: events.length };
    } catch (error) {
      if ((error as Error).name !== 'ConcurrentModificationError') throw error;
      deps.log.info('audit chain moved on while chaining; continuing from its new head', { tenantId });
    }
  }
  return chainAuditLog(deps, tenantId, settleMs, bound, undefined, until);
}

/** The hashes of events chained after `head`, in order. */
function seal(head: ChainHead | null, events: readonly AuditEvent[]): SealedEvent[] {
  let hash = head?.hash ?? GENESIS_HASH;
  let seq = head?.seq ?? 0;
  return events.map((event) => {
    hash = chainHash(hash, event);
    seq += 1;
    return { eventId: event.eventId, hash, seq };
  });
}

/** Tenants whose stamped checks are written at the same time. */
const CONCURRENT_TENANTS = 16;
/** A tenant's check events written at a time. */
const CHECK_WRITES_AT_ONCE = 8;

export interface RecordedChecks {
  /** Events written now (the others were there already). */
  written: number;
  /** Tenants whose mark could not move: a check before this batch was never recorded. */
  gaps: string[];
}

/**
 * Writes the `access.checked` events of checks stamped on access items, each tenant's in the
 * order the stream delivered them and one at a time, stopping at the first failure (thrown, so
 * the batch is delivered again; an event already there is skipped). Each event is a plain write;
 * the checks a grant answered are then counted on its receipt by one write per grant, each check
 * once by its stamp count (a stamp from before checks were counted is written with its count, as
 * other events are). Then it moves the tenant's check mark over the run it recorded — only when
 * the run continues the mark, so the mark never passes a check whose stamp this recorder did not
 * see (a batch the stream gave up on): the chainer never chains past the mark, and such a check
 * is never silently left out of the chain.
 */
export async function recordStampedChecks(
  deps: {
    checks: Pick<CheckRecordStore, 'appendEventOnce' | 'putCheckEvent' | 'tallyChecks' | 'advanceCheckMark'>;
    log: Log;
  },
  checks: readonly StampedCheck[],
): Promise<RecordedChecks> {
  const byTenant = new Map<string, StampedCheck[]>();
  for (const stamped of checks) {
    const list = byTenant.get(stamped.check.tenantId) ?? [];
    list.push(stamped);
    byTenant.set(stamped.check.tenantId, list);
  }
  const result: RecordedChecks = { written: 0, gaps: [] };
  await forEachConcurrently([...byTenant.entries()], CONCURRENT_TENANTS, async ([tenantId, list]) => {
    const events = list.map(({ check, active, seq }) => ({
      event: accessCheckedEvent(check, active),
      seq,
      check,
    }));
    // A tenant's events side by side (a flood of checks on one tenant is written as fast as the
    // table takes it): the mark moves only once every one of them is written, so their order
    // does not matter.
    await forEachConcurrently(events, CHECK_WRITES_AT_ONCE, async ({ event, seq }) => {
      const written = seq === 0 ? deps.checks.appendEventOnce(event) : deps.checks.putCheckEvent(event);
      if (await written) result.written++;
    });
    const byGrant = new Map<string, CountedCheck[]>();
    for (const { event, seq, check } of events)
      if (seq !== 0 && event.grantId !== null)
        byGrant.set(event.grantId, [...(byGrant.get(event.grantId) ?? []), { seq, agent: check.agent }]);
    for (const [grantId, counted] of byGrant) await deps.checks.tallyChecks(tenantId, grantId, counted);
    for (const run of consecutiveRuns(list)) {
      const moved = await deps.checks.advanceCheckMark(tenantId, run.after, run.to);
      if (moved === 'gap') {
        result.gaps.push(tenantId);
        deps.log.error('Access checks before these were never recorded; the chain stops before them', {
          tenantId,
          firstSeq: run.after + 1,
        });
      }
    }
  });
  return result;
}

/** The stamps as runs of consecutive counts (a stream delivers a tenant's stamps in order). */
function consecutiveRuns(list: readonly StampedCheck[]): { after: number; to: CheckMark }[] {
  const runs: { after: number; to: CheckMark }[] = [];
  for (const { check, seq } of list) {
    if (seq === 0) continue; // stamped before checks were counted
    const last = runs.at(-1);
    if (last && last.to.seq + 1 === seq) last.to = { seq, checkedAt: check.checkedAt };
    else runs.push({ after: seq - 1, to: { seq, checkedAt: check.checkedAt } });
  }
  return runs;
}

/**
 * How far a tenant's log may be chained now without passing over a check whose event is not
 * written yet (it would land behind the head, outside the chain). When every stamped check is
 * recorded (the mark has reached the stamp count) the usual settle bound holds (undefined).
 * Otherwise only up to the settle time before the mark's check: a check stamped after it was
 * decided at most a function's run (10 s) before that write. With no mark at all, not at all
 * (null): the recorder's events bring the tenant back.
 */
export function boundOf(state: CheckState | undefined, settleMs = CHAIN_SETTLE_MS): Date | null | undefined {
  if (!state || state.stamped === 0) return undefined;
  const { mark } = state;
  if (mark && mark.seq >= state.stamped) return undefined;
  return mark ? new Date(Date.parse(mark.checkedAt) - settleMs) : null;
}

/** `boundOf` for one tenant, read now. */
export async function chainBound(
  deps: { checks: Pick<CheckRecordStore, 'checkStates'> },
  tenantId: string,
  settleMs = CHAIN_SETTLE_MS,
): Promise<Date | null | undefined> {
  return boundOf((await deps.checks.checkStates([tenantId])).get(tenantId), settleMs);
}

const sameHead = (a: ChainHead | null, b: ChainHead | null) =>
  a === null || b === null ? a === b : a.seq === b.seq && a.eventId === b.eventId;

/**
 * The most one export answer holds, in bytes of its lines as Lambda's response carries them (the
 * body escaped inside a JSON document, so never less than the body itself): far below Lambda's
 * 6 MB answer, whatever the events hold.
 */
export const EXPORT_PAGE_BYTES = 4_000_000;

/** One line of the export: the event as the API shows it, with its hash. */
const exportLine = (event: AuditEvent) => `${JSON.stringify(publicEvent(event))}\n`;

/**
 * One page of the export: chained events, oldest first, at most `page.limit` of them and at most
 * `maxBytes` (a single event always goes, so a page never stalls). When the events read do not
 * fit, the page is read again up to the last that does, so that its cursor continues right
 * after the last event sent.
 */
export async function exportAudit(
  deps: Pick<Stores, 'chain'>,
  tenantId: string,
  page: PageRequest,
  maxBytes = EXPORT_PAGE_BYTES,
) {
  let limit = page.limit;
  for (;;) {
    const result = await deps.chain.chainedEvents(tenantId, { limit, cursor: page.cursor });
    const lines = result.items.map(exportLine);
    let fitting = 0;
    for (let bytes = 0; fitting < lines.length; fitting++) {
      bytes += Buffer.byteLength(JSON.stringify(lines[fitting]));
      if (bytes > maxBytes) break;
    }
    if (fitting === lines.length || lines.length <= 1)
      return { events: result.items.map(publicEvent), ndjson: lines.join(''), nextCursor: result.nextCursor };
    limit = Math.max(1, fitting);
  }
}

export const ACTION_MAX = 200;
export const TARGET_MAX = 200;

/** Trimmed single-line text of `min`–`max` characters, or a 400 naming the field. */
function singleLine(text: string, path: string, min: number, max: number): string {
  const trimmed = text.trim();
  assertSingleLine(trimmed, path);
  if (charLength(trimmed) < min || charLength(trimmed) > max)
    throw ValidationError.field(path, `${path} must be ${min}–${max} characters (after trimming).`);
  return trimmed;
}

export interface ActivityInput {
  action: string;
  target?: string | null | undefined;
  ticket?: string | null | undefined;
}

/**
 * What the vendor's support tooling did, recorded under the active grant. Decided as the access
 * check decides, and written only while that grant is still active (403 `no-active-grant`).
 */
export async function recordActivity(
  deps: Needs<'grants'>,
  tenantId: string,
  agentEmail: string,
  raw: ActivityInput,
) {
  const input = {
    action: singleLine(raw.action, 'action', 1, ACTION_MAX),
    target: raw.target == null ? null : singleLine(raw.target, 'target', 1, TARGET_MAX),
    ticket: raw.ticket == null ? null : singleLine(raw.ticket, 'ticket', 1, TICKET_MAX),
  };
  const access = await deps.grants.getActiveAccess(tenantId);
  const at = deps.clock.now();
  const event = newEvent(deps, at, tenantId, 'support.activity', agentEmail, access?.grantId ?? null, {
    action: input.action,
    target: input.target ?? null,
    ticket: input.ticket ?? null,
  });
  await deps.grants.appendWhileActive(event, access, at);
  return { eventId: event.eventId, at: event.at, grantId: event.grantId };
}

export interface Receipt {
  grant: Grant;
  accessChecks: number;
  callerVerifications: number;
  agents: string[];
  /** One page of the activities, oldest first; `activityCount` counts them all. */
  activities: ReturnType<typeof publicEvent>[];
  activityCount: number;
  nextCursor: string | null;
  auditHead: string | null;
}

/**
 * Everything support did under one grant, and the tenant's audit head to keep. The counts were
 * kept as the events were written and the activities come a page at a time, so a receipt costs
 * the same few reads however busy the grant was.
 */
export async function grantReceipt(
  deps: {
    grants: Pick<GrantStore, 'getGrant'>;
    receipts: Pick<ReceiptStore, 'receiptTally' | 'grantActivities'>;
    chain: Pick<AuditChainStore, 'getChainHead'>;
  },
  tenantId: string,
  grantId: string,
  now: Date,
  page: PageRequest = { limit: RECEIPT_PAGE },
): Promise<Receipt> {
  const stored = await deps.grants.getGrant(tenantId, grantId);
  const tally = stored && (await deps.receipts.receiptTally(tenantId, grantId));
  if (!stored || !tally) throw new NotFoundError('Grant');
  const activities = await deps.receipts.grantActivities(tenantId, grantId, page);
  return {
    grant: publicGrant(effectiveGrant(stored, now)),
    accessChecks: tally.accessChecks,
    callerVerifications: tally.callerVerifications,
    agents: tally.agents,
    activities: activities.items.map(publicEvent),
    activityCount: tally.activities,
    nextCursor: activities.nextCursor,
    auditHead: (await deps.chain.getChainHead(tenantId))?.hash ?? null,
  };
}

/** Activities a receipt answer lists unless asked for fewer. */
export const RECEIPT_PAGE = 50;

/** A line for an email: an activity as the receipt lists it. */
export function activityLine(event: {
  at: string;
  actor: string;
  details: EventDetails<'support.activity'>;
}): string {
  const { action, target, ticket } = event.details;
  const parts = [action, target ? `(${target})` : '', ticket ? `[${ticket}]` : ''];
  return shorten(
    `${event.at.slice(0, 16).replace('T', ' ')} UTC ${event.actor}: ${parts.filter(Boolean).join(' ')}`,
    300,
  );
}
