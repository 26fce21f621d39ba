import type { AccessCheck } from './access-check.ts';
import type { ActionLink, LinkUse } from './action-link.ts';
import type { AuditEvent, EventData } from './audit.ts';
import type { Clock } from './clock.ts';
import type { Contact } from './contact.ts';
import type { StoredGrant } from './grant.ts';
import type { Instruction } from './instruction.ts';

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What "may support access tenant T now?" needs, read in one strongly consistent GetItem. */
export interface ActiveAccess {
  tenantId: string;
  grantId: string;
  expiresAt: string;
  reason: string;
  ticket: string | null;
  version: number;
}

export interface IdempotencyRecord {
  requestHash: string;
  statusCode: number;
  body: string;
}

export interface IdempotencyClaim extends IdempotencyRecord {
  /** Caller-scoped key: the same key from two callers never collides. */
  scope: string;
  /** Kept at least this long (epoch seconds); DynamoDB TTL removes it later. */
  expiresAtEpochSeconds: number;
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
 * Persistence of grants, contacts and the audit log. Every state change is written together
 * with its audit event, atomically, and guarded by conditions so that races resolve to one winner.
 */
/** Instructions (Weisungen): every change with its audit event, in one transaction. */
export interface InstructionStore {
  /** NotAuthorizedContactError when the requester is gone or may no longer instruct. */
  createInstruction(instruction: Instruction, event: AuditEvent): Promise<void>;
  getInstruction(tenantId: string, instructionId: string): Promise<Instruction | null>;
  /**
   * Only while it still has `before.status` (leaving pending: while `confirmBy` lies after
   * `at`), else ConcurrentModificationError; the acting contact must still exist and may instruct.
   */
  changeInstruction(
    before: Instruction,
    after: Instruction,
    event: AuditEvent,
    at: Date,
    actingContactId?: string,
  ): Promise<void>;
  /** Newest first. */
  listInstructions(tenantId: string, page: PageRequest): Promise<Page<Instruction>>;
  /** Every tenant's confirmed instructions, oldest first. */
  listConfirmedInstructions(page: PageRequest): Promise<Page<Instruction>>;
  /** Pending instructions whose confirmBy is at or before `now`. */
  listLapsingInstructions(now: Date, page: PageRequest): Promise<Page<Instruction>>;
}

export interface GrantStore extends AuditChainStore, ReceiptStore, InstructionStore {
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

  /** Throws ContactExistsError when the tenant has a contact with that email. */
  addContact(contact: Contact, event: AuditEvent): Promise<void>;
  getContact(tenantId: string, contactId: string): Promise<Contact | null>;
  findContactByEmail(tenantId: string, email: string): Promise<Contact | null>;
  listContacts(tenantId: string): Promise<Contact[]>;
  /**
   * Removes the contact and, in the same transaction, ends the grant given; without one, only
   * while the tenant's active grant is still `activeGrantId` (null: none).
   */
  removeContact(
    contact: Contact,
    event: AuditEvent,
    ending: GrantEnding | undefined,
    activeGrantId: string | null,
  ): Promise<void>;

  appendEvent(event: AuditEvent): Promise<void>;
  /**
   * Appends the event only while `access` is still the tenant's active grant and its deadline
   * lies after `at` (NoActiveGrantError otherwise, also when `access` is null).
   */
  appendWhileActive(event: AuditEvent, access: ActiveAccess | null, at: Date): Promise<void>;
  /** Newest first. */
  listEvents(tenantId: string, page: PageRequest): Promise<Page<AuditEvent>>;

  getIdempotency(scope: string, now: Date): Promise<IdempotencyRecord | null>;

  /** Stores emailed links (by the hash of their token) before the mail carrying them is sent. */
  issueLinks(links: readonly ActionLink[]): Promise<void>;
  getLink(tokenHash: string): Promise<ActionLink | null>;
  /** Uses a link on its own (when its action changes nothing); LinkUsedError when used already. */
  useLink(use: LinkUse): Promise<void>;
}

/** The newest chained event of a tenant's audit log. */
export interface ChainHead {
  hash: string;
  eventId: string;
  seq: number;
}

/**
 * A tenant whose events the chaining step must come back to once they have settled: the times of
 * the earliest and newest event it stands for.
 */
export interface ChainPending {
  tenantId: string;
  from: string;
  to: string;
}

export interface SealedEvent {
  eventId: string;
  hash: string;
  seq: number;
}

/**
 * The tenant's audit hash chain. Only the chaining step writes it; the writes of state changes
 * never touch it, so they never contend on one item.
 */
export interface AuditChainStore extends CheckRecordStore {
  getChainHead(tenantId: string): Promise<ChainHead | null>;
  /** Events after `afterEventId` (null: from the first) whose ids were made before `before`, oldest first. */
  eventsToChain(
    tenantId: string,
    afterEventId: string | null,
    before: Date,
    limit: number,
  ): Promise<AuditEvent[]>;
  /** Throws ConcurrentModificationError when the head is no longer `head`. */
  chainEvents(tenantId: string, head: ChainHead | null, sealed: readonly SealedEvent[]): Promise<void>;
  /** Chained events, oldest first. */
  chainedEvents(tenantId: string, page: PageRequest): Promise<Page<AuditEvent>>;
  /** Leaves a note on the table's stream that brings these tenants back to the chaining step. */
  chainLater(pending: readonly ChainPending[]): Promise<void>;
}

/** How far a tenant's stamped checks have their events, with no check left out before it. */
export interface CheckMark {
  /** The stamp count (`StampedCheck.seq`) of the last check recorded without a gap. */
  seq: number;
  checkedAt: string;
}

/**
 * The access checks' events, recorded from their stamps in the stream. Only the check recorder
 * moves the mark; the chainer reads it and never chains past a check that is not recorded.
 */
export interface CheckRecordStore {
  /** Appends an event made from a durable record; false when an event with its id exists already. */
  appendEventOnce(event: AuditEvent): Promise<boolean>;
  /** How many checks the tenant's access item has stamped (0: none since checks are counted). */
  stampedChecks(tenantId: string): Promise<number>;
  checkMark(tenantId: string): Promise<CheckMark | null>;
  /** Moves the mark over a recorded run that continues it from `after` (see the adapter). */
  advanceCheckMark(tenantId: string, after: number, to: CheckMark): Promise<'advanced' | 'ahead' | 'gap'>;
}

/** What support did under a grant, counted as each event was written. */
export interface ReceiptTally {
  accessChecks: number;
  callerVerifications: number;
  activities: number;
  agents: string[];
}

/** A grant's receipt: read in a bounded number of reads however busy the grant was. */
export interface ReceiptStore {
  receiptTally(tenantId: string, grantId: string): Promise<ReceiptTally | null>;
  /** Events naming the grant (not mail records) after `afterEventId`, made before `before`, not chained yet. */
  unchainedGrantEvents(
    tenantId: string,
    grantId: string,
    afterEventId: string,
    before: Date,
  ): Promise<number>;
  /** One page of the grant's `support.activity` events, oldest first. */
  grantActivities(tenantId: string, grantId: string, page: PageRequest): Promise<Page<AuditEvent>>;
}

export interface ScheduledExpiry {
  tenantId: string;
  grantId: string;
  expiresAt: string;
  version: number;
  /** When the "access ends soon" reminder is due; null: no reminder schedule. */
  remindAt: string | null;
}

/**
 * One one-time schedule per grant that invokes the expiry function at the deadline, and one
 * for its pending reminder. `reschedule` moves both (and removes the reminder's when none is
 * pending any more); `unschedule` removes both.
 */
export interface GrantScheduler {
  schedule(expiry: ScheduledExpiry): Promise<void>;
  reschedule(expiry: ScheduledExpiry): Promise<void>;
  unschedule(grant: { tenantId: string; grantId: string }): Promise<void>;
  /** A one-time schedule that lapses a pending instruction at its `confirmBy`. */
  scheduleLapse(instruction: { tenantId: string; instructionId: string; confirmBy: string }): Promise<void>;
  unscheduleLapse(instruction: { tenantId: string; instructionId: string }): Promise<void>;
}

export interface IdGenerator {
  next(at: Date): string;
}

/** The little the use cases need from a logger. */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Returns the provider's message id; throws `MailThrottledError` when the account's quota refuses it. */
  send(email: OutgoingEmail): Promise<string>;
  /** The account's sending quota as the provider states it (a mailer without one is paced by its refusals alone). */
  quota?(): Promise<SendQuota>;
}

/** An account's sending quota. Every recipient counts as one message. */
export interface SendQuota {
  /** Messages per second; null: no limit. */
  maxSendRate: number | null;
  /** Messages in any 24 hours; null: no limit. */
  max24HourSend: number | null;
  sentLast24Hours: number;
}

/**
 * The provider refused a send for the account's quota (`rate`: too many per second; `daily`: the
 * last 24 hours' allowance is used up), not for anything about the mail: send it later.
 */
export class MailThrottledError extends Error {
  override readonly name = 'MailThrottledError';
  constructor(
    readonly quota: 'rate' | 'daily',
    message: string,
  ) {
    super(message);
  }
}

export interface NotificationKey {
  tenantId: string;
  eventId: string;
  contactId: string;
}

/**
 * Remembers which (event, contact) emails were sent, so a stream record processed twice never
 * emails anyone twice. A claim is a lease: a crashed sender's claim can be taken over later.
 */
export interface NotificationLedger {
  /** Claims the send; null when it was already sent, failed for good, or is being sent. */
  claim(
    key: NotificationKey,
    owner: string,
    now: Date,
    leaseMs: number,
  ): Promise<{ attempts: number } | null>;
  /** Marks it sent or failed for good, together with its audit event. */
  settle(key: NotificationKey, owner: string, status: 'sent' | 'failed', event: AuditEvent): Promise<void>;
  /**
   * Gives the claim back after a failed attempt, to be retried. `countAttempt: false` when the
   * provider only refused it for its quota: the attempt then does not count toward giving up.
   */
  release(
    key: NotificationKey,
    owner: string,
    error: string,
    options?: { countAttempt?: boolean },
  ): Promise<void>;
}

/** The vendor's event bus: where every deliverable event goes out. */
export interface EventBus {
  /**
   * Puts the events on the bus, in order, and says which it did not take (by index, with why)
   * so that only those are put again. `unreachable`: a call failed as a whole (after the SDK's
   * own retries), so retrying at once is pointless.
   */
  put(
    events: readonly EventData[],
  ): Promise<{ failed: { index: number; error: string }[]; unreachable: boolean }>;
}
