import { accessCheckedEvent, type StampedCheck } from '../domain/access-check.ts';
import { type AuditEvent, publicEvent } from '../domain/audit.ts';
import { chainHash, GENESIS_HASH } from '../domain/audit-chain.ts';
import type { Clock } from '../domain/clock.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { effectiveGrant, type Grant, publicGrant, TICKET_MAX } from '../domain/grant.ts';
import type { AuditChainStore, ChainHead, GrantStore, Log, PageRequest } from '../domain/ports.ts';
import { assertSingleLine, charLength, shorten } from '../domain/text.ts';
import { type Deps, forEachConcurrently } from './deps.ts';
import { newEvent } from './events.ts';

/**
 * How long after its id was made an event may still be committed: a request's events carry the
 * time it arrived, and a function runs at most 10 s (its timeout) plus the flight of its last
 * write. The chain only takes events older than this, so it never has to put one before a link
 * it already made.
 */
export const CHAIN_SETTLE_MS = 20_000;
/** Events chained per transaction (a transaction holds 100 items: these and the head). */
const CHAIN_BATCH = 99;

export interface ChainDeps {
  store: AuditChainStore;
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
): Promise<{ chained: number; head: string | null }> {
  let chained = 0;
  let lost: ChainHead | null | undefined;
  for (let round = 0; round < 1000; round++) {
    const head = await deps.store.getChainHead(tenantId);
    if (lost !== undefined && sameHead(head, lost)) {
      // Lost a race, yet nobody moved the head: events after it are chained already. The head
      // was deleted or rewound; re-chaining would fork the log, so stop and say so (alarmed).
      throw new Error(
        `The audit chain head of ${tenantId} is behind its chained events; it is not rewritten.`,
      );
    }
    const before = new Date(Math.min(deps.clock.now().getTime() - settleMs, bound?.getTime() ?? Infinity));
    const events = await deps.store.eventsToChain(tenantId, head?.eventId ?? null, before, CHAIN_BATCH);
    if (events.length === 0) return { chained, head: head?.hash ?? null };
    let hash = head?.hash ?? GENESIS_HASH;
    let seq = head?.seq ?? 0;
    const sealed = events.map((event) => {
      hash = chainHash(hash, event);
      seq += 1;
      return { eventId: event.eventId, hash, seq };
    });
    try {
      await deps.store.chainEvents(tenantId, head, sealed);
      chained += sealed.length;
      lost = undefined;
    } catch (error) {
      if ((error as Error).name !== 'ConcurrentModificationError') throw error;
      lost = head;
      deps.log.info('audit chain moved on while chaining; continuing from its new head', { tenantId });
    }
  }
  throw new Error(`The audit chain of ${tenantId} kept moving; it is chained on the next run.`);
}

/** Tenants whose stamped checks are written at the same time. */
const CONCURRENT_TENANTS = 16;

/**
 * Writes the `access.checked` events of checks stamped on access items, each tenant's in the
 * order the stream delivered them and one at a time, stopping at the first failure (thrown, so
 * the batch is delivered again; an event already there is skipped). Hence when a check's event
 * exists, so do the events of every earlier check of that tenant — whichever of the two stream
 * readers wrote it: the notifier records checks as they arrive (within a second); the chainer
 * makes sure of them before it chains (`lookFirst`: it mostly finds them there, and one batch
 * read of all of them costs less than a refused write each).
 */
export async function recordStampedChecks(
  deps: { store: Pick<AuditChainStore, 'appendEventOnce' | 'existingEvents'> },
  checks: readonly StampedCheck[],
  { lookFirst = false }: { lookFirst?: boolean } = {},
): Promise<number> {
  const byTenant = new Map<string, StampedCheck[]>();
  for (const stamped of checks) {
    const list = byTenant.get(stamped.check.tenantId) ?? [];
    list.push(stamped);
    byTenant.set(stamped.check.tenantId, list);
  }
  let written = 0;
  const there = lookFirst
    ? await deps.store.existingEvents(
        checks.map(({ check }) => ({ tenantId: check.tenantId, eventId: check.checkId })),
      )
    : new Set<string>();
  await forEachConcurrently([...byTenant.values()], CONCURRENT_TENANTS, async (list) => {
    for (const { check, active } of list) {
      if (there.has(check.checkId)) continue;
      if (await deps.store.appendEventOnce(accessCheckedEvent(check, active))) written++;
    }
  });
  return written;
}

/**
 * How far a tenant's log may be chained now without passing over a check whose stamp the stream
 * has not delivered yet (its event would then land behind the head). If the tenant's newest
 * stamp has its event, so has every earlier one: the usual settle bound holds (undefined). If
 * not, that stamp was written after the newest write of the tenant's access item in this batch
 * (`newestAccessWrite`, to the second), so only checks made more than the settle time (and a
 * second of the stream's rounding) before it are surely in; with no such write, not at all (null:
 * the stamp on its way brings the tenant back).
 */
export async function chainBound(
  deps: Pick<ChainDeps, 'store'>,
  tenantId: string,
  newestAccessWrite: Date | undefined,
  settleMs = CHAIN_SETTLE_MS,
): Promise<Date | null | undefined> {
  const latest = await deps.store.latestAccessCheck(tenantId);
  if (latest === null || (await deps.store.hasEvent(tenantId, latest))) return undefined;
  if (!newestAccessWrite) return null;
  return new Date(newestAccessWrite.getTime() - 1000 - settleMs);
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
  deps: Pick<Deps, 'store'>,
  tenantId: string,
  page: PageRequest,
  maxBytes = EXPORT_PAGE_BYTES,
) {
  let limit = page.limit;
  for (;;) {
    const result = await deps.store.chainedEvents(tenantId, { limit, cursor: page.cursor });
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
export async function recordActivity(deps: Deps, tenantId: string, agentEmail: string, raw: ActivityInput) {
  const input = {
    action: singleLine(raw.action, 'action', 1, ACTION_MAX),
    target: raw.target == null ? null : singleLine(raw.target, 'target', 1, TARGET_MAX),
    ticket: raw.ticket == null ? null : singleLine(raw.ticket, 'ticket', 1, TICKET_MAX),
  };
  const access = await deps.store.getActiveAccess(tenantId);
  const at = deps.clock.now();
  const event = newEvent(deps, at, tenantId, 'support.activity', agentEmail, access?.grantId ?? null, {
    action: input.action,
    target: input.target ?? null,
    ticket: input.ticket ?? null,
  });
  await deps.store.appendWhileActive(event, access, at);
  return { eventId: event.eventId, at: event.at, grantId: event.grantId };
}

export interface Receipt {
  grant: Grant;
  accessChecks: number;
  callerVerifications: number;
  agents: string[];
  activities: ReturnType<typeof publicEvent>[];
  auditHead: string | null;
}

/** Everything support did under one grant, and the tenant's audit head to keep. */
export async function grantReceipt(
  deps: { store: Pick<GrantStore, 'getGrant' | 'eventsOfGrant' | 'getChainHead'> },
  tenantId: string,
  grantId: string,
  now: Date,
): Promise<Receipt> {
  const stored = await deps.store.getGrant(tenantId, grantId);
  if (!stored) throw new NotFoundError('Grant');
  const grant = publicGrant(effectiveGrant(stored, now));
  const until = grant.endedAt && Date.parse(grant.endedAt) < now.getTime() ? new Date(grant.endedAt) : now;
  // Events are made a little before they are committed; a minute's margin either side misses none.
  const events = await deps.store.eventsOfGrant(
    tenantId,
    grantId,
    new Date(Date.parse(grant.createdAt) - 60_000),
    new Date(until.getTime() + 60_000),
  );
  const bySupport = events.filter((e: AuditEvent) =>
    ['access.checked', 'contact.verified', 'support.activity'].includes(e.type),
  );
  return {
    grant,
    accessChecks: bySupport.filter((e) => e.type === 'access.checked').length,
    callerVerifications: bySupport.filter((e) => e.type === 'contact.verified').length,
    agents: [...new Set(bySupport.map((e) => e.actor))].sort(),
    activities: bySupport.filter((e) => e.type === 'support.activity').map(publicEvent),
    auditHead: (await deps.store.getChainHead(tenantId))?.hash ?? null,
  };
}

/** A line for an email: an activity as the receipt lists it. */
export function activityLine(event: { at: string; actor: string; details: Record<string, unknown> }): string {
  const d = event.details;
  const parts = [
    String(d.action ?? ''),
    d.target ? `(${String(d.target)})` : '',
    d.ticket ? `[${String(d.ticket)}]` : '',
  ];
  return shorten(
    `${event.at.slice(0, 16).replace('T', ' ')} UTC ${event.actor}: ${parts.filter(Boolean).join(' ')}`,
    300,
  );
}
