import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import { ConcurrentModificationError } from '../../domain/errors.ts';
import { idTimePrefix } from '../../domain/ids.ts';
import type {
  ChainHead,
  ChainPending,
  CheckMark,
  Page,
  PageRequest,
  ReceiptTally,
  SealedEvent,
} from '../../domain/ports.ts';
import { toEvent } from './items.ts';
import { keys } from './keys.ts';
import type { Table, TransactItem } from './table.ts';
import { ACTIVE_BY_DEADLINE_INDEX, TTL_ATTRIBUTE } from './table-definition.ts';

/** Tenants one note names at most (an item holds 400 KB). */
const NOTE_TENANTS = 1000;
/** A note is read once, within the stream's 24 hours; DynamoDB deletes it a day later. */
const NOTE_KEPT_SECONDS = 2 * 24 * 3600;

/** Sorts after every ULID character: `EVENT#<id>~` is just past that event. */
const PAST = '~';

/**
 * The hash chain of each tenant's audit log: a head item per tenant (`CHAIN`: hash, event id and
 * sequence number of the newest chained event) and `hash`/`seq` on every chained event. Only the
 * chaining step writes them, a batch at a time in one transaction conditioned on the head it
 * read, so two sealers never fork a chain; the writes of state changes never touch the head.
 */
export class DynamoAuditChain {
  constructor(private readonly table: Table) {}

  async getChainHead(tenantId: string): Promise<ChainHead | null> {
    const item = await this.table.getItem(keys.tenant(tenantId), keys.chainHead);
    if (!item) return null;
    return { hash: item.hash as string, eventId: item.eventId as string, seq: item.seq as number };
  }

  /** Events after `afterEventId` written before `before` (by their ids' time), oldest first. */
  async eventsToChain(
    tenantId: string,
    afterEventId: string | null,
    before: Date,
    limit: number,
  ): Promise<AuditEvent[]> {
    const { Items = [] } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.tenant(tenantId),
          ':from': afterEventId ? `${keys.event(afterEventId)}${PAST}` : keys.eventPrefix,
          // Every id whose time lies before `before` sorts below its time prefix alone.
          ':to': keys.event(idTimePrefix(before)),
        },
        ScanIndexForward: true,
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return Items.map(toEvent);
  }

  /**
   * Writes the hashes of a batch of events and moves the head, all or nothing: the head must
   * still be the one the batch was computed from (ConcurrentModificationError otherwise).
   */
  async chainEvents(tenantId: string, head: ChainHead | null, sealed: readonly SealedEvent[]): Promise<void> {
    const last = sealed.at(-1);
    if (!last) return;
    const items: TransactItem[] = sealed.map((e) => ({
      Update: {
        TableName: this.table.name,
        Key: { pk: keys.tenant(tenantId), sk: keys.event(e.eventId) },
        UpdateExpression: 'SET #hash = :hash, seq = :seq',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#hash)',
        ExpressionAttributeNames: { '#hash': 'hash' },
        ExpressionAttributeValues: { ':hash': e.hash, ':seq': e.seq },
      },
    }));
    items.push({
      Put: {
        TableName: this.table.name,
        Item: {
          pk: keys.tenant(tenantId),
          sk: keys.chainHead,
          kind: 'chain',
          tenantId,
          hash: last.hash,
          eventId: last.eventId,
          seq: last.seq,
        },
        ...(head
          ? {
              ConditionExpression: 'seq = :seq AND eventId = :eventId',
              ExpressionAttributeValues: { ':seq': head.seq, ':eventId': head.eventId },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    });
    if (await this.table.transact(items)) throw new ConcurrentModificationError('The audit chain moved on.');
  }

  /** How far the tenant's stamped checks are recorded without a gap (null: none yet). */
  async checkMark(tenantId: string): Promise<CheckMark | null> {
    const item = await this.table.getItem(keys.tenant(tenantId), keys.checkMark);
    if (!item) return null;
    return { seq: item.seq as number, checkedAt: item.checkedAt as string };
  }

  /**
   * Moves the mark from `after` (the check before the recorded run; 0 for the first) to `to`,
   * but only over a run that continues it: a mark at or past `to` stays ('ahead': recorded
   * already), a mark before `after` stays too ('gap': checks in between were never recorded).
   */
  async advanceCheckMark(
    tenantId: string,
    after: number,
    to: CheckMark,
  ): Promise<'advanced' | 'ahead' | 'gap'> {
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: { pk: keys.tenant(tenantId), sk: keys.checkMark },
          UpdateExpression: 'SET kind = :kind, tenantId = :tenantId, seq = :seq, checkedAt = :checkedAt',
          ConditionExpression:
            after === 0 ? 'attribute_not_exists(seq) OR seq < :seq' : 'seq BETWEEN :after AND :before',
          ExpressionAttributeValues: {
            ':kind': 'check-mark',
            ':tenantId': tenantId,
            ':seq': to.seq,
            ':checkedAt': to.checkedAt,
            ...(after === 0 ? {} : { ':after': after, ':before': to.seq - 1 }),
          },
        }),
      );
      return 'advanced';
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const mark = await this.checkMark(tenantId);
      return mark !== null && mark.seq >= to.seq ? 'ahead' : 'gap';
    }
  }

  /** Chained events, oldest first: the export. */
  async chainedEvents(tenantId: string, page: PageRequest): Promise<Page<AuditEvent>> {
    const pk = keys.tenant(tenantId);
    return this.table.queryPage(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.eventPrefix },
        ScanIndexForward: true,
        ConsistentRead: true,
      },
      page,
      { fixed: { pk }, prefixed: { sk: keys.eventPrefix } },
      toEvent,
      (event) => event.hash !== undefined,
      (item) => ({ pk: item.pk, sk: item.sk }),
    );
  }

  /**
   * One new item per note (a few for many tenants): its insert is the stream record the chaining
   * step's filter lets through, and a fresh key makes every note a record of its own.
   */
  async chainLater(pending: readonly ChainPending[]): Promise<void> {
    for (let start = 0; start < pending.length; start += NOTE_TENANTS) {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            pk: keys.chainLater(randomUUID()),
            sk: keys.chainLaterSort,
            kind: 'chain-later',
            tenants: pending.slice(start, start + NOTE_TENANTS).map((p) => ({ ...p })),
            [TTL_ATTRIBUTE]: Math.ceil(Date.now() / 1000) + NOTE_KEPT_SECONDS,
          },
        }),
      );
    }
  }

  /** What the grant's receipt has counted so far (null: no such grant). */
  async receiptTally(tenantId: string, grantId: string): Promise<ReceiptTally | null> {
    const item = await this.table.getItem(keys.tenant(tenantId), keys.grant(grantId));
    if (!item) return null;
    const agents = item.receiptAgents as Set<string> | undefined;
    return {
      accessChecks: (item.receiptChecks as number | undefined) ?? 0,
      callerVerifications: (item.receiptVerifications as number | undefined) ?? 0,
      activities: (item.receiptActivities as number | undefined) ?? 0,
      agents: [...(agents ?? [])].sort(),
    };
  }

  /**
   * How many events naming the grant (other than the records of mails about it), after
   * `afterEventId` and made before `before`, are not chained yet: a short range of the tenant's log (the caller bounds it by time), read
   * consistently.
   */
  async unchainedGrantEvents(
    tenantId: string,
    grantId: string,
    afterEventId: string,
    before: Date,
  ): Promise<number> {
    const from = `${keys.event(afterEventId)}${PAST}`;
    const to = keys.event(idTimePrefix(before));
    if (to < from) return 0;
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const result = await this.table.doc.send(
        new QueryCommand({
          TableName: this.table.name,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          // Mails about the grant are recorded after they are sent: they are never under a mail's head.
          FilterExpression:
            'grantId = :grantId AND attribute_not_exists(#hash) AND NOT begins_with(#type, :notification)',
          ExpressionAttributeNames: { '#hash': 'hash', '#type': 'type' },
          ExpressionAttributeValues: {
            ':pk': keys.tenant(tenantId),
            ':from': from,
            ':to': to,
            ':grantId': grantId,
            ':notification': 'notification.',
          },
          Select: 'COUNT',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      count += result.Count ?? 0;
      start = result.LastEvaluatedKey;
    } while (start);
    return count;
  }

  /** One page of the grant's support activities, oldest first (the index is eventually consistent). */
  async grantActivities(tenantId: string, grantId: string, page: PageRequest): Promise<Page<AuditEvent>> {
    const partition = keys.grantActivities(tenantId, grantId);
    return this.table.queryPage(
      {
        IndexName: ACTIVE_BY_DEADLINE_INDEX.indexName,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': partition },
        ScanIndexForward: true,
      },
      page,
      {
        fixed: { gsi1pk: partition, pk: keys.tenant(tenantId) },
        prefixed: { gsi1sk: '', sk: keys.eventPrefix },
      },
      toEvent,
      () => true,
      (item) => ({ pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk }),
    );
  }
}
