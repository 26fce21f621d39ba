import { CursorCodec, type CursorScope } from '../../../functions/adapters/dynamodb/cursor.ts';
import type { ActionLink } from '../../../functions/domain/action-link.ts';
import type { AuditEvent } from '../../../functions/domain/audit.ts';
import type { Contact } from '../../../functions/domain/contact.ts';
import { ConcurrentModificationError } from '../../../functions/domain/errors.ts';
import type { StoredGrant } from '../../../functions/domain/grant.ts';
import type { Instruction } from '../../../functions/domain/instruction.ts';
import type {
  ChainHead,
  CheckMark,
  IdempotencyRecord,
  Page,
  PageRequest,
} from '../../../functions/domain/ports.ts';

/**
 * The state every in-memory store shares, as the DynamoDB stores share one table: a change that
 * spans aggregates (a grant ended with its contact, a link used with a change) checks and writes
 * both within one synchronous step, so it is as atomic as a transaction.
 */
export class World {
  /** The tenant's access item: its grant (if any) and how many checks it has stamped. */
  readonly access = new Map<string, { grant: StoredGrant | null; checkSeq: number }>();
  readonly grants = new Map<string, StoredGrant & { tally: Tally }>();
  readonly contacts = new Map<string, Contact>();
  readonly contactByEmail = new Map<string, string>();
  readonly events = new Map<string, AuditEvent[]>();
  readonly heads = new Map<string, ChainHead>();
  readonly marks = new Map<string, CheckMark>();
  readonly instructions = new Map<string, Instruction>();
  readonly links = new Map<string, ActionLink>();
  readonly idempotency = new Map<string, IdempotencyRecord & { expiresAtEpochSeconds: number }>();
  readonly notifications = new Map<string, Notification>();
  readonly cursors = new CursorCodec('in-memory-cursor-secret-of-32-chars!');

  accessOf(tenantId: string) {
    let item = this.access.get(tenantId);
    if (!item) {
      item = { grant: null, checkSeq: 0 };
      this.access.set(tenantId, item);
    }
    return item;
  }

  tenantEvents(tenantId: string): AuditEvent[] {
    let list = this.events.get(tenantId);
    if (!list) {
      list = [];
      this.events.set(tenantId, list);
    }
    return list;
  }

  hasEvent(event: AuditEvent): boolean {
    return this.tenantEvents(event.tenantId).some((e) => e.eventId === event.eventId);
  }

  /**
   * The grant whose receipt the event counts on (undefined: it counts on none). Throws when it
   * should count on a grant that does not exist, as the table's condition does.
   */
  tallied(event: AuditEvent): Tally | undefined {
    const counter = TALLIED[event.type];
    if (!counter || !event.grantId) return undefined;
    const grant = this.grants.get(grantKey(event.tenantId, event.grantId));
    if (!grant) throw new ConcurrentModificationError();
    return grant.tally;
  }

  /** Writes the event (checked by the caller) and its count on the grant's receipt. */
  writeEvent(event: AuditEvent, options: { tally: boolean } = { tally: true }): void {
    const tally = options.tally ? this.tallied(event) : undefined;
    const counter = TALLIED[event.type];
    if (tally && counter) {
      tally[counter]++;
      tally.agents.add(event.actor);
    }
    const list = this.tenantEvents(event.tenantId);
    list.push(structuredClone(event));
    list.sort((a, b) => compare(a.eventId, b.eventId));
  }

  /**
   * One page of a list whose items are in list order with their sort keys: it starts after the
   * cursor's key and hands out a cursor only when more items follow. Cursors are signed for the
   * list (`scope`), so one from another list or edited by hand is refused.
   */
  async page<T>(
    list: string,
    items: readonly { key: string; value: T }[],
    page: PageRequest,
    order: 'asc' | 'desc' = 'asc',
  ): Promise<Page<T>> {
    const scope: CursorScope = { fixed: { list }, prefixed: { after: '' } };
    const after = (await this.cursors.decode(page.cursor, scope))?.after;
    const rest =
      after === undefined ? items : items.filter((i) => (order === 'asc' ? i.key > after : i.key < after));
    const taken = rest.slice(0, page.limit);
    const last = taken.at(-1);
    return {
      items: taken.map((i) => structuredClone(i.value)),
      nextCursor:
        rest.length > page.limit && last ? await this.cursors.encode({ list, after: last.key }, scope) : null,
    };
  }
}

export interface Tally {
  accessChecks: number;
  callerVerifications: number;
  activities: number;
  agents: Set<string>;
  /** The stamp count of the last access check counted (checks counted by run). */
  checkSeq?: number;
}

const TALLIED: Partial<Record<AuditEvent['type'], 'accessChecks' | 'callerVerifications' | 'activities'>> = {
  'access.checked': 'accessChecks',
  'contact.verified': 'callerVerifications',
  'support.activity': 'activities',
};

export interface Notification {
  status: 'sending' | 'retry' | 'sent' | 'failed';
  owner: string;
  leaseUntil: number | null;
  attempts: number;
  lastError: string | null;
}

export const grantKey = (tenantId: string, grantId: string) => `${tenantId}#${grantId}`;
export const contactKey = (tenantId: string, contactId: string) => `${tenantId}#${contactId}`;

/** Byte order, as DynamoDB sorts its keys. */
export const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
