import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import type { Contact } from '../../domain/contact.ts';
import { emailKey } from '../../domain/contact.ts';
import {
  ConcurrentModificationError,
  ContactExistsError,
  GrantAlreadyActiveError,
  IdempotencyRaceError,
  NotAuthorizedContactError,
} from '../../domain/errors.ts';
import { isEffectivelyActive, type StoredGrant } from '../../domain/grant.ts';
import type {
  ActiveAccess,
  DeadlineChangeGuard,
  GrantEnding,
  GrantListFilter,
  GrantStore,
  IdempotencyClaim,
  IdempotencyRecord,
  NotificationKey,
  NotificationLedger,
  Page,
  PageRequest,
} from '../../domain/ports.ts';
import { shorten } from '../../domain/text.ts';
import type { CursorCodec, CursorScope } from './cursor.ts';
import { keys } from './keys.ts';
import { ACTIVE_BY_DEADLINE_INDEX, TTL_ATTRIBUTE } from './table-definition.ts';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const CONDITIONAL_CHECK_FAILED = 'ConditionalCheckFailed';
/** Ledger entries outlive any stream redelivery (24 h retention) by far. */
const NOTIFICATION_TTL_SECONDS = 30 * 86_400;
/** Sorts after `#`, so `${iso}#…` < `${iso}~` for every tenant and grant id. */
const AFTER_ISO = '~';

/** GrantStore on one DynamoDB table; see docs/data-model.md for the keys and why. */
export class DynamoGrantStore implements GrantStore, NotificationLedger {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cursors: CursorCodec,
  ) {}

  // ---- grants ------------------------------------------------------------------------------

  async getActiveAccess(tenantId: string): Promise<ActiveAccess | null> {
    const item = await this.getItem(keys.tenant(tenantId), keys.activePointer());
    if (!item) return null;
    return {
      tenantId,
      grantId: item.grantId as string,
      expiresAt: item.expiresAt as string,
      reason: item.reason as string,
      ticket: (item.ticket as string | null | undefined) ?? null,
      version: item.version as number,
    };
  }

  async getGrant(tenantId: string, grantId: string): Promise<StoredGrant | null> {
    const item = await this.getItem(keys.tenant(tenantId), keys.grant(grantId));
    return item ? toGrant(item) : null;
  }

  async createGrant(grant: StoredGrant, event: AuditEvent, idempotency?: IdempotencyClaim): Promise<void> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: pointerItem(grant),
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: grantItem(grant),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      this.putEvent(event),
      this.contactMayGrant(grant.tenantId, grant.grantedBy.contactId),
    ];
    if (idempotency) {
      items.push({
        Put: {
          TableName: this.tableName,
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
    const reasons = await this.transact(items);
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
    { actingContactId, clock }: DeadlineChangeGuard,
  ): Promise<void> {
    // The deadline is compared with the time this attempt is sent, not when the request arrived:
    // a change that reaches the table after the old deadline must not bring access back.
    const now = clock.now();
    const reasons = await this.transact([
      {
        Update: {
          TableName: this.tableName,
          Key: { pk: keys.tenant(before.tenantId), sk: keys.grant(before.grantId) },
          UpdateExpression: 'SET expiresAt = :expiresAt, version = :next, gsi1sk = :gsi1sk',
          ConditionExpression: 'version = :version AND #status = :active AND expiresAt > :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':expiresAt': after.expiresAt,
            ':next': after.version,
            ':gsi1sk': keys.activeIndexSort(after.expiresAt, after.tenantId, after.grantId),
            ':version': before.version,
            ':active': 'active',
            ':now': now.toISOString(),
          },
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: { pk: keys.tenant(before.tenantId), sk: keys.activePointer() },
          UpdateExpression: 'SET expiresAt = :expiresAt, version = :next',
          ConditionExpression: 'grantId = :grantId',
          ExpressionAttributeValues: {
            ':expiresAt': after.expiresAt,
            ':next': after.version,
            ':grantId': before.grantId,
          },
        },
      },
      this.putEvent(event),
      this.contactMayGrant(before.tenantId, actingContactId),
    ]);
    if (reasons?.[3]?.Code === CONDITIONAL_CHECK_FAILED) throw new NotAuthorizedContactError(before.tenantId);
    if (reasons) throw new ConcurrentModificationError();
  }

  async endGrant(ending: GrantEnding): Promise<void> {
    const items = this.endGrantItems(ending);
    if (ending.actingContactId)
      items.push(this.contactMayGrant(ending.before.tenantId, ending.actingContactId));
    const reasons = await this.transact(items);
    if (reasons?.[3]?.Code === CONDITIONAL_CHECK_FAILED)
      throw new NotAuthorizedContactError(ending.before.tenantId);
    if (reasons) throw new ConcurrentModificationError();
  }

  /** The acting contact still exists and may grant access, checked in the same transaction. */
  private contactMayGrant(tenantId: string, contactId: string): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: { pk: keys.tenant(tenantId), sk: keys.contact(contactId) },
        ConditionExpression: 'attribute_exists(pk) AND canGrantAccess = :true',
        ExpressionAttributeValues: { ':true': true },
      },
    };
  }

  private endGrantItems({ before, after, event }: GrantEnding): TransactItem[] {
    return [
      {
        Update: {
          TableName: this.tableName,
          Key: { pk: keys.tenant(before.tenantId), sk: keys.grant(before.grantId) },
          UpdateExpression:
            'SET #status = :status, endedAt = :endedAt, endedBy = :endedBy, endReason = :endReason, version = :next ' +
            'REMOVE gsi1pk, gsi1sk',
          ConditionExpression: 'version = :version AND #status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': after.status,
            ':endedAt': after.endedAt,
            ':endedBy': after.endedBy,
            ':endReason': after.endReason,
            ':next': after.version,
            ':version': before.version,
            ':active': 'active',
          },
        },
      },
      {
        Delete: {
          TableName: this.tableName,
          Key: { pk: keys.tenant(before.tenantId), sk: keys.activePointer() },
          ConditionExpression: 'grantId = :grantId',
          ExpressionAttributeValues: { ':grantId': before.grantId },
        },
      },
      this.putEvent(event),
    ];
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
      const cursor = this.cursors.decode(page.cursor, scope);
      if (cursor) return { items: [], nextCursor: null };
      const access = await this.getActiveAccess(tenantId);
      const grant = access ? await this.getGrant(tenantId, access.grantId) : null;
      return { items: grant && isEffectivelyActive(grant, now) ? [grant] : [], nextCursor: null };
    }
    return this.queryPage(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.grantPrefix },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
      page,
      scope,
      toGrant,
      filter === 'ended' ? (grant) => !isEffectivelyActive(grant, now) : () => true,
      (item) => ({ pk: item.pk, sk: item.sk }),
    );
  }

  async listActiveGrants(now: Date, page: PageRequest): Promise<Page<StoredGrant>> {
    return this.queryActiveIndex('>', now, page, (grant) => isEffectivelyActive(grant, now));
  }

  async listOverdueGrants(now: Date, page: PageRequest): Promise<Page<StoredGrant>> {
    return this.queryActiveIndex('<', now, page, (grant) => grant.status === 'active');
  }

  private queryActiveIndex(
    op: '<' | '>',
    now: Date,
    page: PageRequest,
    keep: (grant: StoredGrant) => boolean,
  ): Promise<Page<StoredGrant>> {
    const index = ACTIVE_BY_DEADLINE_INDEX;
    const bound = `${now.toISOString()}${AFTER_ISO}`;
    return this.queryPage(
      {
        IndexName: index.indexName,
        KeyConditionExpression: `gsi1pk = :partition AND gsi1sk ${op} :bound`,
        ExpressionAttributeValues: {
          ':partition': keys.activeIndexPartition,
          ':bound': bound,
        },
        ScanIndexForward: true,
      },
      page,
      {
        fixed: { gsi1pk: keys.activeIndexPartition },
        prefixed: { gsi1sk: '', pk: 'TENANT#', sk: keys.grantPrefix },
      },
      toGrant,
      keep,
      (item) => ({ pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk }),
      // Deadlines pass between pages: a cursor whose grant has ended since lies before the range
      // of still-active grants (start from its beginning: everything before it has ended too).
      ({ gsi1sk }) => {
        const sort = String(gsi1sk);
        if (op === '>') return sort <= bound ? 'before' : false;
        return sort >= bound ? 'after' : false;
      },
    );
  }

  // ---- contacts ----------------------------------------------------------------------------

  async addContact(contact: Contact, event: AuditEvent): Promise<void> {
    const item = contactItem(contact);
    const reasons = await this.transact([
      {
        Put: {
          TableName: this.tableName,
          Item: { ...item, sk: keys.contactEmail(emailKey(contact.email)), kind: 'contact-email' },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      this.putEvent(event),
    ]);
    if (!reasons) return;
    if (reasons[0]?.Code === CONDITIONAL_CHECK_FAILED) throw new ContactExistsError();
    throw new ConcurrentModificationError();
  }

  async getContact(tenantId: string, contactId: string): Promise<Contact | null> {
    const item = await this.getItem(keys.tenant(tenantId), keys.contact(contactId));
    return item ? toContact(item) : null;
  }

  async findContactByEmail(tenantId: string, email: string): Promise<Contact | null> {
    const item = await this.getItem(keys.tenant(tenantId), keys.contactEmail(emailKey(email)));
    return item ? toContact(item) : null;
  }

  async listContacts(tenantId: string): Promise<Contact[]> {
    const contacts: Contact[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.tenant(tenantId), ':prefix': keys.contactPrefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      contacts.push(...(result.Items ?? []).map(toContact));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return contacts.sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.contactId.localeCompare(b.contactId),
    );
  }

  async removeContact(
    contact: Contact,
    event: AuditEvent,
    ending: GrantEnding | undefined,
    activeGrantId: string | null,
  ): Promise<void> {
    const pk = keys.tenant(contact.tenantId);
    const items: TransactItem[] = [
      {
        Delete: {
          TableName: this.tableName,
          Key: { pk, sk: keys.contact(contact.contactId) },
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      {
        Delete: {
          TableName: this.tableName,
          Key: { pk, sk: keys.contactEmail(emailKey(contact.email)) },
          ConditionExpression: 'contactId = :contactId',
          ExpressionAttributeValues: { ':contactId': contact.contactId },
        },
      },
      this.putEvent(event),
      // Either the grant this contact gave ends with them, or the tenant's active grant is still
      // the one read (none, or another contact's): a grant they create meanwhile cannot survive.
      ...(ending ? this.endGrantItems(ending) : [this.pointerUnchanged(contact.tenantId, activeGrantId)]),
    ];
    const reasons = await this.transact(items);
    if (reasons) throw new ConcurrentModificationError();
  }

  private pointerUnchanged(tenantId: string, grantId: string | null): TransactItem {
    const Key = { pk: keys.tenant(tenantId), sk: keys.activePointer() };
    return {
      ConditionCheck:
        grantId === null
          ? { TableName: this.tableName, Key, ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              TableName: this.tableName,
              Key,
              ConditionExpression: 'grantId = :grantId',
              ExpressionAttributeValues: { ':grantId': grantId },
            },
    };
  }

  // ---- audit -------------------------------------------------------------------------------

  async appendEvent(event: AuditEvent): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: eventItem(event),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async listEvents(tenantId: string, page: PageRequest): Promise<Page<AuditEvent>> {
    const pk = keys.tenant(tenantId);
    return this.queryPage(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.eventPrefix },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
      page,
      { fixed: { pk }, prefixed: { sk: keys.eventPrefix } },
      toEvent,
      () => true,
      (item) => ({ pk: item.pk, sk: item.sk }),
    );
  }

  // ---- idempotency -------------------------------------------------------------------------

  async getIdempotency(scope: string, now: Date): Promise<IdempotencyRecord | null> {
    const item = await this.getItem(keys.idempotency(scope), keys.idempotencySort);
    // TTL deletion lags; an expired record counts as absent.
    if (!item || (item[TTL_ATTRIBUTE] as number) * 1000 <= now.getTime()) return null;
    return {
      requestHash: item.requestHash as string,
      statusCode: item.statusCode as number,
      body: item.body as string,
    };
  }

  // ---- notification ledger -----------------------------------------------------------------

  private notificationKey(key: NotificationKey) {
    return { pk: keys.tenant(key.tenantId), sk: keys.notification(key.eventId, key.contactId) };
  }

  async claim(
    key: NotificationKey,
    owner: string,
    now: Date,
    leaseMs: number,
  ): Promise<{ attempts: number } | null> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.notificationKey(key),
          UpdateExpression:
            'SET #status = :sending, #owner = :owner, leaseUntil = :lease, kind = :kind, #ttl = :ttl ADD attempts :one',
          ConditionExpression:
            'attribute_not_exists(pk) OR #status = :retry OR (#status = :sending AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':retry': 'retry',
            ':owner': owner,
            ':lease': now.getTime() + leaseMs,
            ':now': now.getTime(),
            ':kind': 'notification',
            ':ttl': Math.floor(now.getTime() / 1000) + NOTIFICATION_TTL_SECONDS,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { attempts: (Attributes?.attempts as number | undefined) ?? 1 };
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return null;
      throw error;
    }
  }

  async settle(
    key: NotificationKey,
    owner: string,
    status: 'sent' | 'failed',
    event: AuditEvent,
  ): Promise<void> {
    const reasons = await this.transact([
      {
        Update: {
          TableName: this.tableName,
          Key: this.notificationKey(key),
          UpdateExpression: 'SET #status = :status REMOVE leaseUntil',
          ConditionExpression: '#owner = :owner AND #status = :sending',
          ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
          ExpressionAttributeValues: { ':status': status, ':owner': owner, ':sending': 'sending' },
        },
      },
      this.putEvent(event),
    ]);
    if (reasons)
      throw new ConcurrentModificationError('The notification claim was lost before it was settled.');
  }

  async release(key: NotificationKey, owner: string, error: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.notificationKey(key),
          UpdateExpression: 'SET #status = :retry, lastError = :error REMOVE leaseUntil',
          ConditionExpression: '#owner = :owner AND #status = :sending',
          ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':retry': 'retry',
            ':owner': owner,
            ':sending': 'sending',
            ':error': shorten(error, 500),
          },
        }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Every single-item read here is strongly consistent: decisions are never made on stale data. */
  private async getItem(pk: string, sk: string): Promise<Item | undefined> {
    const { Item: item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true }),
    );
    return item;
  }

  private putEvent(event: AuditEvent): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: eventItem(event),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /** Runs a transaction; returns the cancellation reasons when a condition failed, else undefined. */
  private async transact(items: TransactItem[]): Promise<CancellationReason[] | undefined> {
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return undefined;
    } catch (error) {
      const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons;
      if (
        (error as Error).name === 'TransactionCanceledException' &&
        reasons?.some((r) => r.Code === CONDITIONAL_CHECK_FAILED)
      ) {
        return reasons;
      }
      throw error;
    }
  }

  /**
   * One page of a query, newest/soonest first as the query orders it, keeping only items that
   * pass `keep`. Reads ahead one kept item so a next cursor is only handed out when more exist.
   */
  private async queryPage<T>(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>,
    page: PageRequest,
    scope: CursorScope,
    map: (item: Item) => T,
    keep: (value: T) => boolean,
    keyOf: (item: Item) => Record<string, unknown>,
    startsOutside?: (key: Record<string, unknown>) => 'before' | 'after' | false,
  ): Promise<Page<T>> {
    let startKey: Record<string, unknown> | undefined = this.cursors.decode(page.cursor, scope);
    // Issued for this list, but the range has moved past it since (time bounds the active index).
    const outside = startKey && startsOutside ? startsOutside(startKey) : false;
    if (outside === 'after') return { items: [], nextCursor: null };
    if (outside === 'before') startKey = undefined;
    const kept: { value: T; item: Item }[] = [];
    do {
      const result = await this.doc.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          ExclusiveStartKey: startKey,
          Limit: page.limit + 1 - kept.length,
        }),
      );
      for (const item of result.Items ?? []) {
        const value = map(item);
        if (keep(value)) kept.push({ value, item });
      }
      startKey = result.LastEvaluatedKey;
    } while (startKey && kept.length <= page.limit);
    const items = kept.slice(0, page.limit);
    const last = items.at(-1);
    const more = kept.length > page.limit;
    return {
      items: items.map((k) => k.value),
      nextCursor: more && last ? this.cursors.encode(keyOf(last.item), scope) : null,
    };
  }
}

interface CancellationReason {
  Code?: string;
  Item?: Item;
}

function pointerItem(grant: StoredGrant): Item {
  return {
    pk: keys.tenant(grant.tenantId),
    sk: keys.activePointer(),
    kind: 'access',
    tenantId: grant.tenantId,
    grantId: grant.grantId,
    expiresAt: grant.expiresAt,
    reason: grant.reason,
    ticket: grant.ticket,
    version: grant.version,
  };
}

function grantItem(grant: StoredGrant): Item {
  return {
    pk: keys.tenant(grant.tenantId),
    sk: keys.grant(grant.grantId),
    kind: 'grant',
    ...grant,
    ...(grant.status === 'active'
      ? {
          gsi1pk: keys.activeIndexPartition,
          gsi1sk: keys.activeIndexSort(grant.expiresAt, grant.tenantId, grant.grantId),
        }
      : {}),
  };
}

function toGrant(item: Item): StoredGrant {
  const grantedBy = item.grantedBy as StoredGrant['grantedBy'];
  return {
    grantId: item.grantId as string,
    tenantId: item.tenantId as string,
    status: item.status as StoredGrant['status'],
    reason: item.reason as string,
    ticket: (item.ticket as string | null | undefined) ?? null,
    grantedBy: { contactId: grantedBy.contactId, name: grantedBy.name, email: grantedBy.email },
    createdAt: item.createdAt as string,
    expiresAt: item.expiresAt as string,
    endedAt: (item.endedAt as string | null | undefined) ?? null,
    endedBy: (item.endedBy as string | null | undefined) ?? null,
    endReason: (item.endReason as StoredGrant['endReason'] | undefined) ?? null,
    version: item.version as number,
  };
}

function contactItem(contact: Contact): Item {
  return {
    pk: keys.tenant(contact.tenantId),
    sk: keys.contact(contact.contactId),
    kind: 'contact',
    ...contact,
  };
}

function toContact(item: Item): Contact {
  return {
    contactId: item.contactId as string,
    tenantId: item.tenantId as string,
    name: item.name as string,
    email: item.email as string,
    phone: item.phone as string,
    locale: item.locale as Contact['locale'],
    canGrantAccess: item.canGrantAccess as boolean,
    canInstruct: item.canInstruct as boolean,
    createdAt: item.createdAt as string,
  };
}

function eventItem(event: AuditEvent): Item {
  return { pk: keys.tenant(event.tenantId), sk: keys.event(event.eventId), kind: 'event', ...event };
}

export function toEvent(item: Item): AuditEvent {
  return {
    eventId: item.eventId as string,
    tenantId: item.tenantId as string,
    at: item.at as string,
    type: item.type as AuditEvent['type'],
    actor: item.actor as string,
    grantId: (item.grantId as string | null | undefined) ?? null,
    details: (item.details as Record<string, unknown> | undefined) ?? {},
  };
}
