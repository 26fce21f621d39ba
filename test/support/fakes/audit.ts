import type { AuditEvent } from '../../../functions/domain/audit.ts';
import { ConcurrentModificationError } from '../../../functions/domain/errors.ts';
import { idTimePrefix } from '../../../functions/domain/ids.ts';
import type {
  AuditChainStore,
  AuditLog,
  ChainPending,
  CheckRecordStore,
  ReceiptStore,
} from '../../../functions/domain/ports.ts';
import { grantKey, type World } from './world.ts';

const asPage = (events: readonly AuditEvent[]) => events.map((e) => ({ key: e.eventId, value: e }));

/** The audit log in memory. */
export class FakeAuditLog implements AuditLog {
  constructor(private readonly world: World) {}

  appendEvent: AuditLog['appendEvent'] = async (event) => {
    if (!appendOnce(this.world, event))
      throw new ConcurrentModificationError(`The event ${event.eventId} exists already.`);
  };

  listEvents: AuditLog['listEvents'] = async (tenantId, page) => {
    return this.world.page(
      `events#${tenantId}`,
      asPage(this.world.tenantEvents(tenantId)).reverse(),
      page,
      'desc',
    );
  };
}

function appendOnce(world: World, event: AuditEvent): boolean {
  if (world.hasEvent(event)) return false;
  try {
    world.tallied(event);
  } catch {
    throw new Error(`The grant ${event.grantId} of event ${event.eventId} does not exist.`);
  }
  world.writeEvent(event);
  return true;
}

/** The hash chain in memory: a head per tenant, hashes on the events. */
export class FakeAuditChain implements AuditChainStore {
  constructor(private readonly world: World) {}

  getChainHead: AuditChainStore['getChainHead'] = async (tenantId) => {
    const head = this.world.heads.get(tenantId);
    return head ? { ...head } : null;
  };

  eventsToChain: AuditChainStore['eventsToChain'] = async (tenantId, afterEventId, before, limit) => {
    const bound = idTimePrefix(before);
    return structuredClone(
      this.world
        .tenantEvents(tenantId)
        .filter((e) => (afterEventId === null || e.eventId > afterEventId) && e.eventId < bound)
        .slice(0, limit),
    );
  };

  unchainedTail: AuditChainStore['unchainedTail'] = async (tenantId, before, limit) => {
    const bound = idTimePrefix(before);
    const head = this.world.heads.get(tenantId) ?? null;
    const events = this.world.tenantEvents(tenantId).filter((e) => e.hash === undefined && e.eventId < bound);
    if (events.length > limit) return null;
    return { head: head ? { ...head } : null, events: structuredClone(events) };
  };

  chainEvents: AuditChainStore['chainEvents'] = async (tenantId, head, sealed) => {
    const last = sealed.at(-1);
    if (!last) return;
    const events = this.world.tenantEvents(tenantId);
    const targets = sealed.map((s) => events.find((e) => e.eventId === s.eventId));
    const current = this.world.heads.get(tenantId) ?? null;
    const headHolds =
      head === null ? current === null : current?.seq === head.seq && current.eventId === head.eventId;
    if (!headHolds || targets.some((e) => !e || e.hash !== undefined))
      throw new ConcurrentModificationError('The audit chain moved on.');
    sealed.forEach((s, i) => {
      const target = targets[i];
      if (target) target.hash = s.hash;
    });
    this.world.heads.set(tenantId, { hash: last.hash, eventId: last.eventId, seq: last.seq });
  };

  chainedEvents: AuditChainStore['chainedEvents'] = async (tenantId, page) => {
    const chained = this.world.tenantEvents(tenantId).filter((e) => e.hash !== undefined);
    return this.world.page(`chained#${tenantId}`, asPage(chained), page);
  };

  /** The notes left for the chaining step, oldest first (the table's stream carries them). */
  readonly notes: (readonly ChainPending[])[] = [];

  chainLater: AuditChainStore['chainLater'] = async (pending) => {
    this.notes.push(structuredClone(pending));
  };
}

/** The access checks' events and the check mark in memory. */
export class FakeCheckRecords implements CheckRecordStore {
  constructor(private readonly world: World) {}

  appendEventOnce: CheckRecordStore['appendEventOnce'] = async (event) => {
    return appendOnce(this.world, event);
  };

  putCheckEvent: CheckRecordStore['putCheckEvent'] = async (event) => {
    if (this.world.hasEvent(event)) return false;
    this.world.writeEvent(event, { tally: false });
    return true;
  };

  tallyChecks: CheckRecordStore['tallyChecks'] = async (tenantId, grantId, checks) => {
    const grant = this.world.grants.get(grantKey(tenantId, grantId));
    if (!grant) throw new Error(`The grant ${grantId} of these access checks does not exist.`);
    const rest = checks.filter((c) => c.seq > (grant.tally.checkSeq ?? 0));
    for (const c of rest) {
      grant.tally.accessChecks++;
      grant.tally.agents.add(c.agent);
      grant.tally.checkSeq = c.seq;
    }
    return rest.length;
  };

  stampedChecks: CheckRecordStore['stampedChecks'] = async (tenantId) => {
    return this.world.access.get(tenantId)?.checkSeq ?? 0;
  };

  checkMark: CheckRecordStore['checkMark'] = async (tenantId) => {
    const mark = this.world.marks.get(tenantId);
    return mark ? { ...mark } : null;
  };

  checkStates: CheckRecordStore['checkStates'] = async (tenantIds) => {
    return new Map(
      tenantIds.map((t) => {
        const mark = this.world.marks.get(t);
        return [t, { stamped: this.world.access.get(t)?.checkSeq ?? 0, mark: mark ? { ...mark } : null }];
      }),
    );
  };

  advanceCheckMark: CheckRecordStore['advanceCheckMark'] = async (tenantId, after, to) => {
    const mark = this.world.marks.get(tenantId);
    const continues =
      after === 0
        ? mark === undefined || mark.seq < to.seq
        : mark !== undefined && mark.seq >= after && mark.seq <= to.seq - 1;
    if (continues) {
      this.world.marks.set(tenantId, { ...to });
      return 'advanced';
    }
    return mark !== undefined && mark.seq >= to.seq ? 'ahead' : 'gap';
  };
}

/** Receipts in memory: the counts kept as events were written, the activities by grant. */
export class FakeReceipts implements ReceiptStore {
  constructor(private readonly world: World) {}

  receiptTally: ReceiptStore['receiptTally'] = async (tenantId, grantId) => {
    const tally = this.world.grants.get(grantKey(tenantId, grantId))?.tally;
    if (!tally) return null;
    return {
      accessChecks: tally.accessChecks,
      callerVerifications: tally.callerVerifications,
      activities: tally.activities,
      agents: [...tally.agents].sort(),
    };
  };

  unchainedGrantEvents: ReceiptStore['unchainedGrantEvents'] = async (
    tenantId,
    grantId,
    afterEventId,
    before,
  ) => {
    const bound = idTimePrefix(before);
    return this.world
      .tenantEvents(tenantId)
      .filter(
        (e) =>
          e.eventId > afterEventId &&
          e.eventId < bound &&
          e.grantId === grantId &&
          e.hash === undefined &&
          !e.type.startsWith('notification.'),
      ).length;
  };

  grantActivities: ReceiptStore['grantActivities'] = async (tenantId, grantId, page) => {
    const activities = this.world
      .tenantEvents(tenantId)
      .filter((e) => e.type === 'support.activity' && e.grantId === grantId);
    return this.world.page(`activities#${tenantId}#${grantId}`, asPage(activities), page);
  };
}
