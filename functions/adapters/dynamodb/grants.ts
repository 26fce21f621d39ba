import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AccessCheck } from '../../domain/access-check.ts';
import type { AuditEvent } from '../../domain/audit.ts';
import {
  ConcurrentModificationError,
  GrantAlreadyActiveError,
  NoActiveGrantError,
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
  GrantStore,
  IdempotencyClaim,
  Page,
  PageRequest,
} from '../../domain/ports.ts';
import type { CursorScope } from './cursor.ts';
import { text } from './fields.ts';
import { contactMayGrant, endGrantItems, useLinkItem } from './grant-writes.ts';
import { claimIdempotency } from './idempotency.ts';
import { grantItem, pointerItem, reminderIndexEntry, toActiveAccess, toGrant } from './items.ts';
import { keys } from './keys.ts';
import { ShardedIndex } from './sharded-index.ts';
import { IndexShards } from './shards.ts';
import {
  type CancellationReason,
  guarded,
  retryTransactionConflict,
  type Table,
  type TransactItem,
  type TransactStep,
} from './table.ts';

/** Sorts after `#`, so `${iso}#…` < `${iso}~` for every tenant and grant id. */
const AFTER_ISO = '~';

/**
 * Grants: the tenant's access pointer, the grant items, the active-by-deadline index and the
 * idempotency records of grant creation. Every change is one transaction with its audit event.
 */
export class DynamoGrants implements GrantStore {
  private readonly index: ShardedIndex;

  constructor(
    private readonly table: Table,
    private readonly shards: IndexShards = IndexShards.single,
  ) {
    this.index = new ShardedIndex(table, shards);
  }

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
    const pointerFree: TransactItem = {
      Update: {
        TableName: this.table.name,
        Key: { pk, sk },
        UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
        ConditionExpression: 'attribute_not_exists(grantId)',
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:f${i}`, pointer[name]])),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
    await this.table.transact(
      [
        contactMayGrant(this.table, grant.tenantId, grant.grantedBy.contactId),
        ...(idempotency ? [claimIdempotency(this.table, idempotency)] : []),
        guarded(pointerFree, (reason) => this.grantActiveError(grant.tenantId, reason)),
        {
          Put: {
            TableName: this.table.name,
            Item: grantItem(grant, this.shards),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        this.table.putEvent(event),
      ],
      () => new ConcurrentModificationError('The tenant’s active grant changed while creating a grant.'),
    );
  }

  /** The grant that held the tenant's access item when a new one was refused. */
  private async grantActiveError(tenantId: string, reason: CancellationReason): Promise<Error> {
    // The item in a cancellation reason arrives unmarshalled only by some SDK versions.
    const raw = reason.Item?.grantId;
    const held = typeof raw === 'string' ? raw : isAttribute(raw) ? raw.S : undefined;
    const activeGrantId = held ?? (await this.getActiveAccess(tenantId))?.grantId;
    return activeGrantId
      ? new GrantAlreadyActiveError(activeGrantId)
      : new ConcurrentModificationError('The tenant’s active grant changed while creating a grant.');
  }

  async changeDeadline(
    before: StoredGrant,
    after: StoredGrant,
    event: AuditEvent,
    { actingContactId, clock, link }: DeadlineChangeGuard,
  ): Promise<void> {
    // The deadline is compared with the time this attempt is sent, not when the request arrived:
    // a change that reaches the table after the old deadline must not bring access back.
    await this.table.transact((): TransactStep[] => [
      ...(link ? [useLinkItem(this.table, link)] : []),
      contactMayGrant(this.table, before.tenantId, actingContactId),
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
    ]);
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
    await this.table.transact([
      ...(ending.link ? [useLinkItem(this.table, ending.link)] : []),
      ...(ending.actingContactId
        ? [contactMayGrant(this.table, ending.before.tenantId, ending.actingContactId)]
        : []),
      ...endGrantItems(this.table, ending),
    ]);
  }

  /**
   * Sends the "access ends soon" reminder of the deadline it was planned for: the reminder is
   * taken off the grant and the pointer together with its `grant.expiring` event, so of an
   * extend, a revoke, the schedule and the sweep racing it, at most one reminder is written.
   */
  async remindGrant(grant: StoredGrant, event: AuditEvent): Promise<void> {
    await this.table.transact([
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
  }

  async appendWhileActive(event: AuditEvent, access: ActiveAccess | null, at: Date): Promise<void> {
    if (!access || !isBeforeDeadline(access, at)) throw new NoActiveGrantError(event.tenantId);
    await this.table.transact([
      guarded(
        {
          ConditionCheck: {
            TableName: this.table.name,
            Key: { pk: keys.tenant(event.tenantId), sk: keys.activePointer() },
            ConditionExpression: `grantId = :grantId AND ${beforeDeadlineCondition.expression}`,
            ExpressionAttributeValues: { ':grantId': access.grantId, ...beforeDeadlineCondition.values(at) },
          },
        },
        () => new NoActiveGrantError(event.tenantId),
      ),
      ...this.table.eventWrites(event),
    ]);
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
    return this.index.page(
      keys.reminderIndexPartition,
      { before: `${now.toISOString()}${AFTER_ISO}` },
      page,
      // The list's items are access pointers: their sort key is exactly this.
      { sk: keys.activePointer() },
      (item) => ({ tenantId: text(item, 'tenantId'), grantId: text(item, 'grantId') }),
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
    return this.index.page(
      keys.activeIndexPartition,
      op === '>' ? { after: bound } : { before: bound },
      page,
      { skPrefix: keys.grantPrefix },
      toGrant,
      keep,
    );
  }
}

/** An attribute value as the low-level client gives it. */
const isAttribute = (value: unknown): value is { S?: string } => typeof value === 'object' && value !== null;
