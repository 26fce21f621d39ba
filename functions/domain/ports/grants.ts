import type { AccessCheck } from '../access-check.ts';
import type { LinkUse } from '../action-link.ts';
import type { AuditEvent } from '../audit.ts';
import type { Clock } from '../clock.ts';
import type { StoredGrant } from '../grant.ts';
import type { IdempotencyClaim } from './idempotency.ts';
import type { Page, PageRequest } from './paging.ts';

/** What "may support access tenant T now?" needs, read in one strongly consistent GetItem. */
export interface ActiveAccess {
  tenantId: string;
  grantId: string;
  expiresAt: string;
  reason: string;
  ticket: string | null;
  version: number;
}

export interface GrantEnding {
  before: StoredGrant;
  after: StoredGrant;
  event: AuditEvent;
  /** The contact ending it, who must still exist and may grant access when it is written. */
  actingContactId?: string;
  /** The emailed link it is done through, used up in the same transaction. */
  link?: LinkUse;
}

export interface DeadlineChangeGuard {
  /** The contact changing it, who must still exist and may grant access when it is written. */
  actingContactId: string;
  /** Read when each attempt is written: the old deadline must not have passed by then. */
  clock: Clock;
  /** The emailed link it is done through, used up in the same transaction (LinkUsedError). */
  link?: LinkUse | undefined;
}

export type GrantListFilter = 'active' | 'ended' | undefined;

/**
 * Grants and the tenant's access to which they lead. Every state change is written together
 * with its audit event, atomically, and guarded by conditions so that races resolve to one winner.
 */
export interface GrantStore {
  getActiveAccess(tenantId: string): Promise<ActiveAccess | null>;
  /** Stamps the check on the tenant's access item; returns the grant that write saw (one round trip). */
  recordAccessCheck(check: AccessCheck): Promise<ActiveAccess | null>;
  getGrant(tenantId: string, grantId: string): Promise<StoredGrant | null>;
  /**
   * Throws GrantAlreadyActiveError when the tenant has an active grant; IdempotencyRaceError on a
   * lost key race; NotAuthorizedContactError when the granting contact is gone or may not grant.
   */
  createGrant(grant: StoredGrant, event: AuditEvent, idempotency?: IdempotencyClaim): Promise<void>;
  /**
   * Throws ConcurrentModificationError when `before` is no longer current or its deadline has
   * passed when written; NotAuthorizedContactError when the acting contact is gone.
   */
  changeDeadline(
    before: StoredGrant,
    after: StoredGrant,
    event: AuditEvent,
    guard: DeadlineChangeGuard,
  ): Promise<void>;
  /** Throws ConcurrentModificationError when `before` is no longer current. */
  endGrant(ending: GrantEnding): Promise<void>;
  /** Newest first. `active`/`ended` use the effective status at `now`. */
  listGrants(
    tenantId: string,
    page: PageRequest,
    filter: GrantListFilter,
    now: Date,
  ): Promise<Page<StoredGrant>>;
  /** All tenants' grants active at `now`, soonest deadline first. */
  listActiveGrants(now: Date, page: PageRequest): Promise<Page<StoredGrant>>;
  /** Active grants whose deadline is at or before `now`, oldest deadline first. */
  listOverdueGrants(now: Date, page: PageRequest): Promise<Page<StoredGrant>>;
  /**
   * Writes the grant's `grant.expiring` event and takes its pending reminder off, only while the
   * grant is still `grant` (version, active, same reminder): else ConcurrentModificationError.
   */
  remindGrant(grant: StoredGrant, event: AuditEvent): Promise<void>;
  /** Grants whose pending reminder is due at `now`, by due time (a sparse index, not every grant). */
  listDueReminders(now: Date, page: PageRequest): Promise<Page<{ tenantId: string; grantId: string }>>;
  /**
   * Appends the event only while `access` is still the tenant's active grant and its deadline
   * lies after `at` (NoActiveGrantError otherwise, also when `access` is null).
   */
  appendWhileActive(event: AuditEvent, access: ActiveAccess | null, at: Date): Promise<void>;
}
