import { createHash } from 'node:crypto';
import type { LinkUse } from '../domain/action-link.ts';
import type { Contact } from '../domain/contact.ts';
import {
  GrantAlreadyActiveError,
  GrantNotActiveError,
  IdempotencyKeyReusedError,
  NotFoundError,
} from '../domain/errors.ts';
import {
  changeDeadline,
  type DeadlineInput,
  effectiveGrant,
  endGrant,
  type Grant,
  isEffectivelyActive,
  isPastDeadline,
  normaliseGrantText,
  publicGrant,
  reminderTime,
  resolveDeadline,
  type StoredGrant,
  SYSTEM_ACTOR,
} from '../domain/grant.ts';
import type { GrantListFilter, GrantScheduler, Page, PageRequest, ScheduledExpiry } from '../domain/ports.ts';
import { bestEffort, type Deps, retryOnConflict, type SchedulingDeps, sweepPages } from './deps.ts';
import { newEvent as event, grantDetails } from './events.ts';

/** Idempotency records are kept at least this long. */
export const IDEMPOTENCY_TTL_SECONDS = 48 * 3600;

export interface CreateGrantInput extends DeadlineInput {
  reason: string;
  ticket?: string | null | undefined;
}

export interface IdempotencyRequest {
  /** The caller's key, already scoped to the caller. */
  scope: string;
  /** Everything that makes two requests "the same": tenant and body. */
  fingerprint: unknown;
}

export interface CreateGrantResult {
  grant: Grant;
  replayed: boolean;
}

function hashRequest(fingerprint: unknown): string {
  return createHash('sha256').update(canonicalJson(fingerprint)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function replay(deps: Deps, idempotency: IdempotencyRequest, requestHash: string, now: Date) {
  const record = await deps.store.getIdempotency(idempotency.scope, now);
  if (!record) return null;
  if (record.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
  return { grant: JSON.parse(record.body) as Grant, replayed: true };
}

/** Creates the tenant's one active grant and its expiry schedule. */
export async function createGrant(
  deps: SchedulingDeps,
  tenantId: string,
  contact: Contact,
  input: CreateGrantInput,
  now: Date,
  idempotency?: IdempotencyRequest,
): Promise<CreateGrantResult> {
  const requestHash = idempotency ? hashRequest(idempotency.fingerprint) : '';
  if (idempotency) {
    const replayed = await replay(deps, idempotency, requestHash, now);
    if (replayed) return replayed;
  }
  const text = normaliseGrantText(input);
  const deadline = resolveDeadline(input, now, deps.policy);

  const grant = await retryOnConflict(async () => {
    const active = await deps.store.getActiveAccess(tenantId);
    if (active) {
      if (!isPastDeadline(active, now)) throw new GrantAlreadyActiveError(active.grantId);
      // Effectively expired but not yet ended by the expiry job: end it first.
      await expireGrant(deps, tenantId, active.grantId, { unschedule: deps.scheduler });
    }
    const created: StoredGrant = {
      grantId: deps.ids.next(now),
      tenantId,
      status: 'active',
      reason: text.reason,
      ticket: text.ticket,
      grantedBy: { contactId: contact.contactId, name: contact.name, email: contact.email },
      createdAt: now.toISOString(),
      expiresAt: deadline.toISOString(),
      endedAt: null,
      endedBy: null,
      endReason: null,
      version: 1,
      remindAt: reminderTime(deadline.toISOString(), now, deps.policy),
    };
    const claim = idempotency && {
      scope: idempotency.scope,
      requestHash,
      statusCode: 201,
      body: JSON.stringify(publicGrant(created)),
      expiresAtEpochSeconds: Math.ceil(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
    };
    try {
      await deps.store.createGrant(
        created,
        event(deps, now, tenantId, 'grant.created', contact.email, created.grantId, grantDetails(created)),
        claim,
      );
    } catch (error) {
      if (idempotency && (error as Error).name === 'IdempotencyRaceError') {
        return (await replay(deps, idempotency, requestHash, now)) ?? Promise.reject(error);
      }
      throw error;
    }
    return created;
  });
  if ('replayed' in grant) return grant;

  await bestEffort(deps, 'schedule', grant, () => deps.scheduler.schedule(scheduled(grant)));
  return { grant: publicGrant(grant), replayed: false };
}

const scheduled = (grant: StoredGrant): ScheduledExpiry => ({
  tenantId: grant.tenantId,
  grantId: grant.grantId,
  expiresAt: grant.expiresAt,
  version: grant.version,
  remindAt: grant.remindAt,
});

/** How a contact acts: signed in (the API or console), or through a link emailed to them. */
export interface ActingThrough {
  /** The emailed link, used up in the same transaction as the change. */
  link?: LinkUse | undefined;
}

/** Audit details of a change made through an emailed link. */
const channelOf = (through: ActingThrough) => (through.link ? { channel: 'email-link' as const } : {});

async function getStoredGrant(deps: Deps, tenantId: string, grantId: string): Promise<StoredGrant> {
  const grant = await deps.store.getGrant(tenantId, grantId);
  if (!grant) throw new NotFoundError('Grant');
  return grant;
}

export async function getGrant(deps: Deps, tenantId: string, grantId: string, now: Date): Promise<Grant> {
  return publicGrant(effectiveGrant(await getStoredGrant(deps, tenantId, grantId), now));
}

export async function listGrants(
  deps: Deps,
  tenantId: string,
  page: PageRequest,
  filter: GrantListFilter,
  now: Date,
): Promise<Page<Grant>> {
  const result = await deps.store.listGrants(tenantId, page, filter, now);
  return {
    items: result.items.map((g) => publicGrant(effectiveGrant(g, now))),
    nextCursor: result.nextCursor,
  };
}

/** Moves an active grant's deadline (later or earlier) within the policy bounds. */
export async function changeGrantDeadline(
  deps: SchedulingDeps,
  tenantId: string,
  grantId: string,
  contact: Contact,
  /** The new deadline, or how to compute it from the grant as each attempt reads it. */
  input: DeadlineInput | ((current: StoredGrant) => DeadlineInput),
  now: Date,
  through: ActingThrough = {},
): Promise<Grant> {
  const updated = await retryOnConflict(async () => {
    const grant = await getStoredGrant(deps, tenantId, grantId);
    // Each attempt decides with its own time: a retry after the deadline finds the grant ended.
    const attemptAt = new Date(Math.max(now.getTime(), deps.clock.now().getTime()));
    if (!isEffectivelyActive(grant, attemptAt)) throw new GrantNotActiveError(grantId);
    const deadline = resolveDeadline(typeof input === 'function' ? input(grant) : input, now, deps.policy);
    const after = changeDeadline(grant, deadline, attemptAt, deps.policy);
    await deps.store.changeDeadline(
      grant,
      after,
      event(deps, now, tenantId, 'grant.extended', contact.email, grantId, {
        ...grantDetails(after),
        previousExpiresAt: grant.expiresAt,
        ...channelOf(through),
      }),
      { actingContactId: contact.contactId, clock: deps.clock, link: through.link },
    );
    return after;
  });
  await bestEffort(deps, 'reschedule', updated, () => deps.scheduler.reschedule(scheduled(updated)));
  return publicGrant(updated);
}

/** Ends access now. A grant that has already ended is returned unchanged. */
export async function revokeGrant(
  deps: SchedulingDeps,
  tenantId: string,
  grantId: string,
  contact: Contact,
  now: Date,
  through: ActingThrough = {},
): Promise<Grant> {
  const result = await retryOnConflict(async () => {
    const grant = await getStoredGrant(deps, tenantId, grantId);
    const unchanged = async (current: StoredGrant) => {
      // Nothing to end; a link is used up all the same (it works once).
      if (through.link) await deps.store.useLink(through.link);
      return { grant: current, changed: false };
    };
    if (grant.status !== 'active') return unchanged(grant);
    if (isPastDeadline(grant, now)) {
      const ended = await expireGrant(deps, tenantId, grantId, { unschedule: deps.scheduler });
      return unchanged(ended.grant ?? grant);
    }
    const after = endGrant(grant, {
      status: 'revoked',
      endedAt: now.toISOString(),
      endedBy: contact.email,
      endReason: 'revoked',
    });
    await deps.store.endGrant({
      before: grant,
      after,
      event: event(deps, now, tenantId, 'grant.revoked', contact.email, grantId, {
        ...grantDetails(after),
        ...channelOf(through),
      }),
      actingContactId: contact.contactId,
      ...(through.link ? { link: through.link } : {}),
    });
    return { grant: after, changed: true };
  });
  if (result.changed)
    await bestEffort(deps, 'unschedule', result.grant, () => deps.scheduler.unschedule(result.grant));
  return publicGrant(effectiveGrant(result.grant, now));
}

export type ExpiryOutcome = 'expired' | 'already-ended' | 'not-due' | 'not-found';

/**
 * Ends a grant whose deadline has passed. Idempotent and safe against every race: it changes
 * nothing unless the grant is still active and its deadline has passed at the moment it runs.
 */
export async function expireGrant(
  deps: Deps,
  tenantId: string,
  grantId: string,
  /** The scheduler to delete the grant's schedule with, when it is not deleting itself. */
  options: { unschedule?: GrantScheduler } = {},
): Promise<{ outcome: ExpiryOutcome; grant: StoredGrant | null; lateByMs?: number }> {
  const result = await retryOnConflict(async () => {
    const grant = await deps.store.getGrant(tenantId, grantId);
    if (!grant) return { outcome: 'not-found' as const, grant: null };
    if (grant.status !== 'active') return { outcome: 'already-ended' as const, grant };
    const now = deps.clock.now();
    if (!isPastDeadline(grant, now)) return { outcome: 'not-due' as const, grant };
    const after = endGrant(grant, {
      status: 'expired',
      endedAt: grant.expiresAt,
      endedBy: SYSTEM_ACTOR,
      endReason: 'expired',
    });
    const lateByMs = now.getTime() - Date.parse(grant.expiresAt);
    await deps.store.endGrant({
      before: grant,
      after,
      event: event(deps, now, tenantId, 'grant.expired', SYSTEM_ACTOR, grantId, {
        ...grantDetails(after),
        lateByMs,
      }),
    });
    return { outcome: 'expired' as const, grant: after, lateByMs };
  });
  const scheduler = options.unschedule;
  if (result.outcome === 'expired' && scheduler && result.grant) {
    const ended = result.grant;
    await bestEffort(deps, 'unschedule', ended, () => scheduler.unschedule(ended));
  }
  return result;
}

export type ReminderOutcome = 'reminded' | 'not-due' | 'none-pending' | 'not-active' | 'not-found';

/**
 * Writes the "access ends soon" event (`grant.expiring`, which every contact is emailed about)
 * when the grant's pending reminder is due. Idempotent and safe against every race: the reminder
 * is taken off in the same transaction, conditioned on the grant being unchanged, so a schedule,
 * a duplicate, the sweep, an extend and a revoke together produce at most one per deadline.
 */
export async function remindGrant(
  deps: Deps,
  tenantId: string,
  grantId: string,
): Promise<{ outcome: ReminderOutcome; grant: StoredGrant | null }> {
  return retryOnConflict(async () => {
    const grant = await deps.store.getGrant(tenantId, grantId);
    if (!grant) return { outcome: 'not-found' as const, grant: null };
    const now = deps.clock.now();
    if (!isEffectivelyActive(grant, now)) return { outcome: 'not-active' as const, grant };
    if (!grant.remindAt) return { outcome: 'none-pending' as const, grant };
    if (now.getTime() < Date.parse(grant.remindAt)) return { outcome: 'not-due' as const, grant };
    await deps.store.remindGrant(
      grant,
      event(deps, now, tenantId, 'grant.expiring', SYSTEM_ACTOR, grantId, {
        ...grantDetails(grant),
        remindAt: grant.remindAt,
      }),
    );
    return { outcome: 'reminded' as const, grant: { ...grant, remindAt: null } };
  });
}

/** Sends every due reminder whose schedule did not (a bounded number per run). */
export async function sweepDueReminders(
  deps: Deps,
  maxGrants = 500,
): Promise<{ reminded: number; more: boolean }> {
  let reminded = 0;
  const { more } = await sweepPages(
    (page) => deps.store.listDueReminders(deps.clock.now(), page),
    maxGrants,
    async (due) => {
      if ((await remindGrant(deps, due.tenantId, due.grantId)).outcome === 'reminded') reminded++;
    },
  );
  return { reminded, more };
}

/** Overdue by more than this, a grant's schedule was lost or failed (the Scheduler fires within a minute). */
export const MISSED_SCHEDULE_MS = 120_000;

/** Ends every active grant past its deadline, a bounded number per run. */
export async function sweepOverdueGrants(
  deps: SchedulingDeps,
  maxGrants = 500,
): Promise<{ examined: number; expired: number; missed: number; more: boolean }> {
  let expired = 0;
  let missed = 0;
  const { examined, more } = await sweepPages(
    (page) => deps.store.listOverdueGrants(deps.clock.now(), page),
    maxGrants,
    async (grant) => {
      const result = await expireGrant(deps, grant.tenantId, grant.grantId, { unschedule: deps.scheduler });
      if (result.outcome !== 'expired') return;
      expired++;
      if ((result.lateByMs ?? 0) > MISSED_SCHEDULE_MS) missed++;
    },
  );
  return { examined, expired, missed, more };
}
