import type { LinkUse } from '../../../functions/domain/action-link.ts';
import {
  ConcurrentModificationError,
  GrantAlreadyActiveError,
  IdempotencyRaceError,
  LinkUsedError,
  NoActiveGrantError,
  NotAuthorizedContactError,
} from '../../../functions/domain/errors.ts';
import { isEffectivelyActive, type StoredGrant } from '../../../functions/domain/grant.ts';
import type { ActiveAccess, GrantEnding, GrantStore } from '../../../functions/domain/ports.ts';
import { compare, contactKey, grantKey, type World } from './world.ts';

/** Sorts after `#`: `${iso}#…` < `${iso}~`, as in the table's index. */
const AFTER_ISO = '~';

const toAccess = (g: StoredGrant): ActiveAccess => ({
  tenantId: g.tenantId,
  grantId: g.grantId,
  expiresAt: g.expiresAt,
  reason: g.reason,
  ticket: g.ticket,
  version: g.version,
});

/** Grants in memory, held to the DynamoDB store's behaviour by the contract suite. */
export class FakeGrants implements GrantStore {
  constructor(private readonly world: World) {}

  getActiveAccess: GrantStore['getActiveAccess'] = async (tenantId) => {
    const grant = this.world.access.get(tenantId)?.grant;
    return grant ? toAccess(grant) : null;
  };

  recordAccessCheck: GrantStore['recordAccessCheck'] = async (check) => {
    const access = this.world.accessOf(check.tenantId);
    access.checkSeq++;
    return access.grant ? toAccess(access.grant) : null;
  };

  getGrant: GrantStore['getGrant'] = async (tenantId, grantId) => {
    const grant = this.world.grants.get(grantKey(tenantId, grantId));
    if (!grant) return null;
    const { tally: _, ...stored } = grant;
    return structuredClone(stored);
  };

  createGrant: GrantStore['createGrant'] = async (grant, event, idempotency) => {
    this.contactMayGrant(grant.tenantId, grant.grantedBy.contactId);
    if (idempotency && this.world.idempotency.has(idempotency.scope)) throw new IdempotencyRaceError();
    const access = this.world.accessOf(grant.tenantId);
    if (access.grant) throw new GrantAlreadyActiveError(access.grant.grantId);
    if (this.world.grants.has(grantKey(grant.tenantId, grant.grantId)) || this.world.hasEvent(event))
      throw new ConcurrentModificationError('The tenant’s active grant changed while creating a grant.');
    access.grant = structuredClone(grant);
    this.world.grants.set(grantKey(grant.tenantId, grant.grantId), {
      ...structuredClone(grant),
      tally: { accessChecks: 0, callerVerifications: 0, activities: 0, agents: new Set() },
    });
    this.world.writeEvent(event);
    if (idempotency) {
      const { scope, ...record } = idempotency;
      this.world.idempotency.set(scope, record);
    }
  };

  changeDeadline: GrantStore['changeDeadline'] = async (
    before,
    after,
    event,
    { actingContactId, clock, link },
  ) => {
    if (link) this.linkUnused(link);
    this.contactMayGrant(before.tenantId, actingContactId);
    const grant = this.current(before);
    const access = this.world.accessOf(before.tenantId);
    if (
      grant.expiresAt <= clock.now().toISOString() ||
      access.grant?.grantId !== before.grantId ||
      this.world.hasEvent(event)
    )
      throw new ConcurrentModificationError();
    Object.assign(grant, { expiresAt: after.expiresAt, version: after.version, remindAt: after.remindAt });
    Object.assign(access.grant, {
      expiresAt: after.expiresAt,
      version: after.version,
      remindAt: after.remindAt,
    });
    this.world.writeEvent(event);
    if (link) this.useLink(link);
  };

  endGrant: GrantStore['endGrant'] = async (ending) => {
    if (ending.link) this.linkUnused(ending.link);
    if (ending.actingContactId) this.contactMayGrant(ending.before.tenantId, ending.actingContactId);
    this.end(ending);
    if (ending.link) this.useLink(ending.link);
  };

  /** Checks and writes a grant's end; called by the contacts store within its own step. */
  end({ before, after, event }: GrantEnding): void {
    this.checkEnd({ before, event });
    const grant = this.current(before);
    Object.assign(grant, {
      status: after.status,
      endedAt: after.endedAt,
      endedBy: after.endedBy,
      endReason: after.endReason,
      version: after.version,
      remindAt: null,
    });
    this.world.accessOf(before.tenantId).grant = null;
    this.world.writeEvent(event);
  }

  checkEnd({ before, event }: Pick<GrantEnding, 'before' | 'event'>): void {
    this.current(before);
    if (
      this.world.access.get(before.tenantId)?.grant?.grantId !== before.grantId ||
      this.world.hasEvent(event)
    )
      throw new ConcurrentModificationError();
  }

  remindGrant: GrantStore['remindGrant'] = async (grant, event) => {
    const stored = this.current(grant);
    const access = this.world.accessOf(grant.tenantId);
    if (
      stored.remindAt !== grant.remindAt ||
      access.grant?.grantId !== grant.grantId ||
      access.grant.version !== grant.version ||
      this.world.hasEvent(event)
    )
      throw new ConcurrentModificationError();
    stored.remindAt = null;
    access.grant.remindAt = null;
    this.world.writeEvent(event);
  };

  appendWhileActive: GrantStore['appendWhileActive'] = async (event, access, at) => {
    if (!access || at.getTime() >= Date.parse(access.expiresAt)) throw new NoActiveGrantError(event.tenantId);
    const current = this.world.access.get(event.tenantId)?.grant;
    if (current?.grantId !== access.grantId || current.expiresAt <= at.toISOString())
      throw new NoActiveGrantError(event.tenantId);
    if (this.world.hasEvent(event)) throw new ConcurrentModificationError();
    this.world.tallied(event);
    this.world.writeEvent(event);
  };

  listGrants: GrantStore['listGrants'] = async (tenantId, page, filter, now) => {
    const all = [...this.world.grants.values()]
      .filter((g) => g.tenantId === tenantId)
      .map(({ tally: _, ...g }) => g)
      .sort((a, b) => compare(b.grantId, a.grantId));
    const list = `grants#${tenantId}`;
    if (filter === 'active') {
      const { items } = await this.world.page<StoredGrant>(list, [], page, 'desc');
      if (page.cursor !== undefined) return { items, nextCursor: null };
      const pointer = this.world.access.get(tenantId)?.grant;
      const active = all.find((g) => g.grantId === pointer?.grantId);
      return {
        items: active && isEffectivelyActive(active, now) ? [structuredClone(active)] : [],
        nextCursor: null,
      };
    }
    const kept = filter === 'ended' ? all.filter((g) => !isEffectivelyActive(g, now)) : all;
    return this.world.page(
      list,
      kept.map((g) => ({ key: g.grantId, value: g })),
      page,
      'desc',
    );
  };

  listActiveGrants: GrantStore['listActiveGrants'] = async (now, page) => {
    const bound = `${now.toISOString()}${AFTER_ISO}`;
    return this.world.page(
      'active',
      this.indexed().filter((i) => i.key > bound && isEffectivelyActive(i.value, now)),
      page,
    );
  };

  listOverdueGrants: GrantStore['listOverdueGrants'] = async (now, page) => {
    const bound = `${now.toISOString()}${AFTER_ISO}`;
    return this.world.page(
      'active',
      this.indexed().filter((i) => i.key < bound),
      page,
    );
  };

  listDueReminders: GrantStore['listDueReminders'] = async (now, page) => {
    const bound = `${now.toISOString()}${AFTER_ISO}`;
    const due = [...this.world.access.values()]
      .flatMap(({ grant }) => (grant?.remindAt ? [grant] : []))
      .map((g) => ({
        key: `${g.remindAt}#${g.tenantId}#${g.grantId}`,
        value: { tenantId: g.tenantId, grantId: g.grantId },
      }))
      .filter((i) => i.key < bound)
      .sort((a, b) => compare(a.key, b.key));
    return this.world.page('remind', due, page);
  };

  /** Active grants by deadline, as the table's index holds them. */
  private indexed() {
    return [...this.world.grants.values()]
      .filter((g) => g.status === 'active')
      .map(({ tally: _, ...g }) => ({ key: `${g.expiresAt}#${g.tenantId}#${g.grantId}`, value: g }))
      .sort((a, b) => compare(a.key, b.key));
  }

  /** The stored grant while it is still `before` (same version, active). */
  private current(before: StoredGrant) {
    const grant = this.world.grants.get(grantKey(before.tenantId, before.grantId));
    if (!grant || grant.version !== before.version || grant.status !== 'active')
      throw new ConcurrentModificationError();
    return grant;
  }

  private contactMayGrant(tenantId: string, contactId: string): void {
    if (!this.world.contacts.get(contactKey(tenantId, contactId))?.canGrantAccess)
      throw new NotAuthorizedContactError(tenantId);
  }

  private linkUnused(use: LinkUse): void {
    const link = this.world.links.get(use.tokenHash);
    if (!link || link.usedAt !== null) throw new LinkUsedError();
  }

  private useLink(use: LinkUse): void {
    const link = this.world.links.get(use.tokenHash);
    if (link) link.usedAt = use.usedAt;
  }
}
