import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AccessCheck } from '../../domain/access-check.ts';
import type { LinkUse } from '../../domain/action-link.ts';
import type { AuditEvent } from '../../domain/audit.ts';
import {
  ConcurrentModificationError,
  GrantAlreadyActiveError,
  IdempotencyRaceError,
  LinkUsedError,
  NoActiveGrantError,
  NotAuthorizedContactError,
} from '../../domain/errors.ts';
import {
  beforeDeadlineCondition,
  isBeforeDeadline,
  isEffectivelyActive,
  isPastDeadline,
  type StoredGrant,
} from '../../domain/grant.ts';
import type {
  ActiveAccess,
  DeadlineChangeGuard,
  GrantEnding,
  GrantListFilter,
  IdempotencyClaim,
  IdempotencyRecord,
  Page,
  PageRequest,
} from '../../domain/ports.ts';
import type { CursorScope } from './cursor.ts';
import { grantItem, pointerItem, reminderIndexEntry, toActiveAccess, toGrant } from './items.ts';
import { keys } from './keys.ts';
import { IndexShards } from './shards.ts';
import {
  CONDITIONAL_CHECK_FAILED,
  type Item,
  retryTransactionConflict,
  type Table,
  type TransactItem,
} from './table.ts';
import { ACTIVE_BY_DEADLINE_INDEX, TTL_ATTRIBUTE } from './table-definition.ts';

/** Sorts after `#`, so `${iso}#…` < `${iso}~` for every tenant and grant id. */
const AFTER_ISO = '~';

/**
 * Grants: the tenant's access pointer, the grant items, the active-by-deadline index and the
 * idempotency records of grant creation. Every change is one transaction with its audit event.
 */
export class DynamoGrants {
  constructor(
    private readonly table: Table,
    private readonly shards: IndexShards = IndexShards.single,
  ) {}

  async getActiveAccess(tenantId: string): Promise<ActiveAccess | null> {
    return toActiveAccess(await this.table.getItem(keys.tenant(tenantId), keys.activePointer()));
  }

  /**
   * Records an access check in one round trip: stamps the check on the tenant's access item and
   * returns the grant state that same write saw. Without a grant the item is a bare stamp (no
   * `grantId`). The stamp reaches the audit log through the stream, keyed by the check's id.
   * A write that meets a grant change in flight is retried after it (TransactionConflict).
   */
  async recordAccessCheck(check: AccessCheck): Promise<ActiveAccess | null> {
    const { Attributes } = await retryTransactionConflict(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: { pk: keys.tenant(check.tenantId), sk: keys.activePointer() },
          UpdateExpression:
            'SET kind = :kind, tenantId = :tenantId, checkId = :checkId, checkedAt = :checkedAt, checkedBy = :agent ' +
            'ADD checkSeq :one',
          ExpressionAttributeValues: {
            ':one': 1,
            ':kind': 'access',
            ':tenantId': check.tenantId,
            ':checkId': check.checkId,
            ':checkedAt': check.checkedAt,
            ':agent': check.agent,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return toActiveAccess(Attributes);
  }

  async stampedChecks(tenantId: string): Promise<number> {
    const item = await this.table.getItem(keys.tenant(tenantId), keys.activePointer());
    return typeof item?.checkSeq === 'number' ? item.checkSeq : 0;
  }

  async getGrant(tenantId: string, grantId: string): Promise<StoredGrant | null> {
    const item = await this.table.getItem(keys.tenant(tenantId), keys.grant(grantId));
    return item ? toGrant(item) : null;
  }

  async createGrant(grant: StoredGrant, event: AuditEvent, idempotency?: IdempotencyClaim): Promise<void> {
    // The pointer is set on the tenant's access item, which may hold the stamp of the newest
    // check (kept: the chainer reads it to know which checks are still on their way). Only a
    // grant on it blocks a new one.
    const { pk, sk, ...pointer } = pointerItem(grant, this.shards);
    const names = Object.keys(pointer);
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.table.name,
          Key: { pk, sk },
          UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
          ConditionExpression: 'attribute_not_exists(grantId)',
          ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:f${i}`, pointer[name]])),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: this.table.name,
          Item: grantItem(grant, this.shards),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      this.table.putEvent(event),
      this.contactMayGrant(grant.tenantId, grant.grantedBy.contactId),
    ];
    if (idempotency) {
      items.push({
        Put: {
          TableName: this.table.name,
          Item: {
            pk: keys.idempotency(idempotency.scope),
            sk: keys.idempotencySort,
            kind: 'idempotency',
            requestHash: idempotency.requestHash,
            statusCode: idempotency.statusCode,
            body: idempotency.body,
            [TTL_ATTRIBUTE]: idempotency.expiresAtEpochSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    const reasons = await this.table.transact(items);
    if (!reasons) return;
    if (reasons[3]?.Code === CONDITIONAL_CHECK_FAILED) throw new NotAuthorizedContactError(grant.tenantId);
    if (idempotency && reasons[4]?.Code === CONDITIONAL_CHECK_FAILED) throw new IdempotencyRaceError();
    if (reasons[0]?.Code === CONDITIONAL_CHECK_FAILED) {
      // The item in a cancellation reason arrives unmarshalled only by some SDK versions.
      const raw = reasons[0].Item?.grantId as string | { S?: string } | undefined;
      const activeGrantId =
        (typeof raw === 'object' ? raw.S : raw) ?? (await this.getActiveAccess(grant.tenantId))?.grantId;
      if (activeGrantId) throw new GrantAlreadyActiveError(activeGrantId);
    }
    throw new ConcurrentModificationError('The tenant’s active grant changed while creating a grant.');
  }

  async changeDeadline(
    before: StoredGrant,
    after: StoredGrant,
    event: AuditEvent,
    { actingContactId, clock, link }: DeadlineChangeGuard,
  ): Promise<void> {
    // The deadline is compared with the time this attempt is sent, not when the request arrived:
    // a change that reaches the table after the old deadline must not bring access back.
    const reasons = await this.table.transact(() => [
      {
        Update: {
          TableName: this.table.name,
          Key: { pk: keys.tenant(before.tenantId), sk: keys.grant(before.grantId) },
          UpdateExpression:
            'SET expiresAt = :expiresAt, version = :next, gsi1sk = :gsi1sk, remindAt = :remindAt',
          ConditionExpression: `version = :version AND #status = :active AND ${beforeDeadlineCondition.expression}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':remindAt': after.remindAt,
            ':expiresAt': after.expiresAt,
            ':next': after.version,
            ':gsi1sk': keys.activeIndexSort(after.expiresAt, after.tenantId, after.grantId),
            ':version': before.version,
            ':active': 'active',
            ...beforeDeadlineCondition.values(clock.now()),
          },
        },
      },
      this.pointerDeadline(before, after),
      this.table.putEvent(event),
      this.contactMayGrant(before.tenantId, actingContactId),
      ...(link ? [this.useLinkItem(link)] : []),
    ]);
    if (reasons?.[4]?.Code === CONDITIONAL_CHECK_FAILED) throw new LinkUsedError();
    if (reasons?.[3]?.Code === CONDITIONAL_CHECK_FAILED) throw new NotAuthorizedContactError(before.tenantId);
    if (reasons) throw new ConcurrentModificationError();
  }

  /** The pointer follows the deadline, and so does its place in the reminder partition of the index. */
  private pointerDeadline(before: StoredGrant, after: StoredGrant): TransactItem {
    const reminder = reminderIndexEntry(after, this.shards);
    return {
      Update: {
        TableName: this.table.name,
        Key: { pk: keys.tenant(before.tenantId), sk: keys.activePointer() },
        UpdateExpression: after.remindAt
          ? 'SET expiresAt = :expiresAt, version = :next, remindAt = :remindAt, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk'
          : 'SET expiresAt = :expiresAt, version = :next, remindAt = :remindAt REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'grantId = :grantId',
        ExpressionAttributeValues: {
          ':expiresAt': after.expiresAt,
          ':next': after.version,
          ':remindAt': after.remindAt,
          ':grantId': before.grantId,
          ...(after.remindAt ? { ':gsi1pk': reminder.gsi1pk, ':gsi1sk': reminder.gsi1sk } : {}),
        },
      },
    };
  }

  async endGrant(ending: GrantEnding): Promise<void> {
    const items = this.endGrantItems(ending);
    if (ending.actingContactId)
      items.push(this.contactMayGrant(ending.before.tenantId, ending.actingContactId));
    if (ending.link) items.push(this.useLinkItem(ending.link));
    const reasons = await this.table.transact(items);
    if (ending.link && reasons?.[items.length - 1]?.Code === CONDITIONAL_CHECK_FAILED)
      throw new LinkUsedError();
    if (reasons?.[3]?.Code === CONDITIONAL_CHECK_FAILED)
      throw new NotAuthorizedContactError(ending.before.tenantId);
    if (reasons) throw new ConcurrentModificationError();
  }

  /**
   * Sends the "access ends soon" reminder of the deadline it was planned for: the reminder is
   * taken off the grant and the pointer together with its `grant.expiring` event, so of an
   * extend, a revoke, the schedule and the sweep racing it, at most one reminder is written.
   */
  async remindGrant(grant: StoredGrant, event: AuditEvent): Promise<void> {
    const reasons = await this.table.transact([
      {
        Update: {
          TableName: this.table.name,
          Key: { pk: keys.tenant(grant.tenantId), sk: keys.grant(grant.grantId) },
          UpdateExpression: 'SET remindAt = :none',
          ConditionExpression: 'version = :version AND #status = :active AND remindAt = :remindAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':none': null,
            ':version': grant.version,
            ':active': 'active',
            ':remindAt': grant.remindAt,
          },
        },
      },
      {
        Update: {
          TableName: this.table.name,
          Key: { pk: keys.tenant(grant.tenantId), sk: keys.activePointer() },
          UpdateExpression: 'SET remindAt = :none REMOVE gsi1pk, gsi1sk',
          ConditionExpression: 'grantId = :grantId AND version = :version',
          ExpressionAttributeValues: { ':none': null, ':grantId': grant.grantId, ':version': grant.version },
        },
      },
      this.table.putEvent(event),
    ]);
    if (reasons) throw new ConcurrentModificationError();
  }

  async appendWhileActive(event: AuditEvent, access: ActiveAccess | null, at: Date): Promise<void> {
    if (!access || !isBeforeDeadline(access, at)) throw new NoActiveGrantError(event.tenantId);
    const reasons = await this.table.transact([
      {
        ConditionCheck: {
          TableName: this.table.name,
          Key: { pk: keys.tenant(event.tenantId), sk: keys.activePointer() },
          ConditionExpression: `grantId = :grantId AND ${beforeDeadlineCondition.expression}`,
          ExpressionAttributeValues: { ':grantId': access.grantId, ...beforeDeadlineCondition.values(at) },
        },
      },
      ...this.table.eventWrites(event),
    ]);
    if (reasons?.[0]?.Code === CONDITIONAL_CHECK_FAILED) throw new NoActiveGrantError(event.tenantId);
    if (reasons) throw new ConcurrentModificationError();
  }

  /** Marks an emailed link used; fails the whole transaction when it was used already. */
  private useLinkItem(link: LinkUse): TransactItem {
    return {
      Update: {
        TableName: this.table.name,
        Key: { pk: keys.link(link.tokenHash), sk: keys.linkSort },
        UpdateExpression: 'SET usedAt = :usedAt',
        ConditionExpression: 'attribute_exists(pk) AND usedAt = :unused',
        ExpressionAttributeValues: { ':usedAt': link.usedAt, ':unused': null },
      },
    };
  }

  /** The acting contact still exists and may grant access, checked in the same transaction. */
  private contactMayGrant(tenantId: string, contactId: string): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.table.name,
        Key: { pk: keys.tenant(tenantId), sk: keys.contact(contactId) },
        ConditionExpression: 'attribute_exists(pk) AND canGrantAccess = :true',
        ExpressionAttributeValues: { ':true': true },
      },
    };
  }

  endGrantItems({ before, after, event }: GrantEnding): TransactItem[] {
    return [
      {
        Update: {
          TableName: this.table.name,
          Key: { pk: keys.tenant(before.tenantId), sk: keys.grant(before.grantId) },
          UpdateExpression:
            'SET #status = :status, endedAt = :endedAt, endedBy = :endedBy, endReason = :endReason, version = :next, ' +
            'remindAt = :none REMOVE gsi1pk, gsi1sk',
          ConditionExpression: 'version = :version AND #status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': after.status,
            ':endedAt': after.endedAt,
            ':endedBy': after.endedBy,
            ':endReason': after.endReason,
            ':none': null,
            ':next': after.version,
            ':version': before.version,
            ':active': 'active',
          },
        },
      },
      {
        // The grant leaves the access item; the newest check's stamp stays on it.
        Update: {
          TableName: this.table.name,
          Key: { pk: keys.tenant(before.tenantId), sk: keys.activePointer() },
          UpdateExpression: 'REMOVE grantId, expiresAt, reason, ticket, version, remindAt, gsi1pk, gsi1sk',
          ConditionExpression: 'grantId = :grantId',
          ExpressionAttributeValues: { ':grantId': before.grantId },
        },
      },
      this.table.putEvent(event),
    ];
  }

  pointerUnchanged(tenantId: string, grantId: string | null): TransactItem {
    const Key = { pk: keys.tenant(tenantId), sk: keys.activePointer() };
    return {
      ConditionCheck:
        grantId === null
          ? { TableName: this.table.name, Key, ConditionExpression: 'attribute_not_exists(grantId)' }
          : {
              TableName: this.table.name,
              Key,
              ConditionExpression: 'grantId = :grantId',
              ExpressionAttributeValues: { ':grantId': grantId },
            },
    };
  }

  async listGrants(
    tenantId: string,
    page: PageRequest,
    filter: GrantListFilter,
    now: Date,
  ): Promise<Page<StoredGrant>> {
    const pk = keys.tenant(tenantId);
    const scope: CursorScope = { fixed: { pk }, prefixed: { sk: keys.grantPrefix } };
    if (filter === 'active') {
      // At most one grant is active: the tenant's access pointer names it, no scan needed.
      const cursor = await this.table.decodeCursor(page.cursor, scope);
      if (cursor) return { items: [], nextCursor: null };
      const access = await this.getActiveAccess(tenantId);
      const grant = access ? await this.getGrant(tenantId, access.grantId) : null;
      return { items: grant && isEffectivelyActive(grant, now) ? [grant] : [], nextCursor: null };
    }
    return this.table.newestFirst(
      pk,
      keys.grantPrefix,
      page,
      toGrant,
      filter === 'ended' ? (grant) => !isEffectivelyActive(grant, now) : undefined,
    );
  }

  async listActiveGrants(now: Date, page: PageRequest): Promise<Page<StoredGrant>> {
    return this.queryActiveIndex('>', now, page, (grant) => isEffectivelyActive(grant, now));
  }

  async listOverdueGrants(now: Date, page: PageRequest): Promise<Page<StoredGrant>> {
    return this.queryActiveIndex(
      '<',
      now,
      page,
      (grant) => grant.status === 'active' && isPastDeadline(grant, now),
    );
  }

  /** Tenants whose pending reminder is due at `now`, oldest first: only those, never every grant. */
  async listDueReminders(now: Date, page: PageRequest): Promise<Page<{ tenantId: string; grantId: string }>> {
    return this.shardedPage(
      keys.reminderIndexPartition,
      { before: `${now.toISOString()}${AFTER_ISO}` },
      page,
      // The list's items are access pointers: their sort key is exactly this.
      { sk: keys.activePointer() },
      (item) => ({ tenantId: item.tenantId as string, grantId: item.grantId as string }),
      () => true,
    );
  }

  private queryActiveIndex(
    op: '<' | '>',
    now: Date,
    page: PageRequest,
    keep: (grant: StoredGrant) => boolean,
  ): Promise<Page<StoredGrant>> {
    const bound = `${now.toISOString()}${AFTER_ISO}`;
    // Deadlines pass between pages: a cursor of the active list whose grant has ended since lies
    // before the still-active range (which then starts from its beginning: all before has ended).
    return this.shardedPage(
      keys.activeIndexPartition,
      op === '>' ? { after: bound } : { before: bound },
      page,
      { skPrefix: keys.grantPrefix },
      toGrant,
      keep,
    );
  }

  /**
   * One page of a sparse index list (partition `base`, spread over the configured shards),
   * ascending by sort key strictly between the bounds given: every shard is queried from just
   * past the cursor's sort key and the answers merged — a query per shard per page. The cursor
   * is the last item's key under the list's own partition name, so it is the same whatever the
   * number of shards, and one issued before a change of that number still works.
   */
  private async shardedPage<T>(
    base: string,
    range: { after?: string; before?: string },
    page: PageRequest,
    itemSk: { sk: string } | { skPrefix: string },
    map: (item: Item) => T,
    keep: (value: T) => boolean,
  ): Promise<Page<T>> {
    const scope: CursorScope =
      'sk' in itemSk
        ? { fixed: { gsi1pk: base, sk: itemSk.sk }, prefixed: { gsi1sk: '', pk: 'TENANT#' } }
        : { fixed: { gsi1pk: base }, prefixed: { gsi1sk: '', pk: 'TENANT#', sk: itemSk.skPrefix } };
    const cursor = (await this.table.decodeCursor(page.cursor, scope))?.gsi1sk;
    const after =
      cursor !== undefined && (range.after === undefined || cursor > range.after) ? cursor : range.after;
    const { before } = range;
    if (after !== undefined && before !== undefined && after >= before)
      return { items: [], nextCursor: null };
    const condition =
      after !== undefined && before !== undefined
        ? 'gsi1sk BETWEEN :after AND :before'
        : after !== undefined
          ? 'gsi1sk > :after'
          : 'gsi1sk < :before';
    const want = page.limit + 1;
    const perShard = await Promise.all(
      this.shards.all(base).map(async (partition) => {
        const kept: { item: Item; value: T }[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const result = await this.table.doc.send(
            new QueryCommand({
              TableName: this.table.name,
              IndexName: ACTIVE_BY_DEADLINE_INDEX.indexName,
              KeyConditionExpression: `gsi1pk = :partition AND ${condition}`,
              ExpressionAttributeValues: {
                ':partition': partition,
                ...(after !== undefined ? { ':after': after } : {}),
                ...(before !== undefined ? { ':before': before } : {}),
              },
              ScanIndexForward: true,
              ExclusiveStartKey: start,
              Limit: want - kept.length,
            }),
          );
          for (const item of result.Items ?? []) {
            // BETWEEN includes its ends: the cursor's own item was on the page before.
            if (item.gsi1sk === after || item.gsi1sk === before) continue;
            const value = map(item);
            if (keep(value)) kept.push({ item, value });
          }
          start = result.LastEvaluatedKey;
        } while (start && kept.length < want);
        return kept;
      }),
    );
    const merged = perShard.flat().sort((a, b) => (String(a.item.gsi1sk) < String(b.item.gsi1sk) ? -1 : 1));
    const items = merged.slice(0, page.limit);
    const last = items.at(-1)?.item;
    return {
      items: items.map((k) => k.value),
      nextCursor:
        merged.length > page.limit && last
          ? await this.table.encodeCursor(
              { gsi1pk: base, gsi1sk: last.gsi1sk, pk: last.pk, sk: last.sk },
              scope,
            )
          : null,
    };
  }

  async getIdempotency(scope: string, now: Date): Promise<IdempotencyRecord | null> {
    const item = await this.table.getItem(keys.idempotency(scope), keys.idempotencySort);
    // TTL deletion lags; an expired record counts as absent.
    if (!item || (item[TTL_ATTRIBUTE] as number) * 1000 <= now.getTime()) return null;
    return {
      requestHash: item.requestHash as string,
      statusCode: item.statusCode as number,
      body: item.body as string,
    };
  }
}
