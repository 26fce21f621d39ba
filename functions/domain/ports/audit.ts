import type { AuditEvent } from '../audit.ts';
import type { Page, PageRequest } from './paging.ts';

/** The tenant's audit log: append-only. */
export interface AuditLog {
  /** ConcurrentModificationError when an event with its id exists already. */
  appendEvent(event: AuditEvent): Promise<void>;
  /** Newest first. */
  listEvents(tenantId: string, page: PageRequest): Promise<Page<AuditEvent>>;
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

/** A tenant's unchained events and the head they follow (null: nothing chained yet). */
export interface ChainTail {
  head: ChainHead | null;
  events: AuditEvent[];
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
export interface AuditChainStore {
  getChainHead(tenantId: string): Promise<ChainHead | null>;
  /** Events after `afterEventId` (null: from the first) whose ids were made before `before`, oldest first. */
  eventsToChain(
    tenantId: string,
    afterEventId: string | null,
    before: Date,
    limit: number,
  ): Promise<AuditEvent[]>;
  /**
   * The events not chained yet whose ids were made before `before`, oldest first, and the head
   * as the newest chained event before them says (its hash and sequence number): one read that
   * needs no head first. Null when more than `limit` events are unchained (or a chained event
   * carries no sequence number): then read the head and go on from it.
   */
  unchainedTail(tenantId: string, before: Date, limit: number): Promise<ChainTail | null>;
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

/** What a tenant's checks are: how many were stamped, and how far they are recorded without a gap. */
export interface CheckState {
  stamped: number;
  mark: CheckMark | null;
}

/** A check a grant's receipt counts: its stamp count (`StampedCheck.seq`) and its agent. */
export interface CountedCheck {
  seq: number;
  agent: string;
}

/**
 * The access checks' events, recorded from their stamps in the stream. Only the check recorder
 * moves the mark; the chainer reads it and never chains past a check that is not recorded.
 */
export interface CheckRecordStore {
  /**
   * Appends an event made from a durable record, with its count on its grant's receipt; false
   * when an event with its id exists already.
   */
  appendEventOnce(event: AuditEvent): Promise<boolean>;
  /**
   * Appends a check's event alone (its receipt count comes with `tallyChecks`); false when an
   * event with its id exists already.
   */
  putCheckEvent(event: AuditEvent): Promise<boolean>;
  /**
   * Counts checks of a grant (in stamp order) on its receipt, each once: the grant keeps the stamp
   * count of the last check it counted, and only later ones are added. Returns how many were.
   */
  tallyChecks(tenantId: string, grantId: string, checks: readonly CountedCheck[]): Promise<number>;
  /** How many checks the tenant's access item has stamped (0: none since checks are counted). */
  stampedChecks(tenantId: string): Promise<number>;
  checkMark(tenantId: string): Promise<CheckMark | null>;
  /** The stamp count and the mark of many tenants, read together (consistently). */
  checkStates(tenantIds: readonly string[]): Promise<Map<string, CheckState>>;
  /**
   * Moves the mark from `after` (the check before the recorded run; 0 for the first) to `to`,
   * but only over a run that continues it: a mark at or past `to` stays ('ahead': recorded
   * already), a mark before `after` stays too ('gap': checks in between were never recorded).
   */
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
  /** Null: no such grant. */
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
