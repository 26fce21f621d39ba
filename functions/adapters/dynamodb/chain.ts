import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import { ConcurrentModificationError } from '../../domain/errors.ts';
import { idTimePrefix } from '../../domain/ids.ts';
import type {
  AuditChainStore,
  ChainHead,
  ChainPending,
  ChainTail,
  Page,
  PageRequest,
  SealedEvent,
} from '../../domain/ports.ts';
import { count, countOrNull, text } from './fields.ts';
import { toEvent } from './items.ts';
import { keys } from './keys.ts';
import type { Table, TransactItem } from './table.ts';
import { TTL_ATTRIBUTE } from './table-definition.ts';

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
export class DynamoAuditChain implements AuditChainStore {
  constructor(private readonly table: Table) {}

  async getChainHead(tenantId: string): Promise<ChainHead | null> {
    const item = await this.table.getItem(keys.tenant(tenantId), keys.chainHead);
    if (!item) return null;
    return { hash: text(item, 'hash'), eventId: text(item, 'eventId'), seq: count(item, 'seq') };
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
   * Reads the log backwards from `before` until the first chained event: the events above it are
   * the unchained tail, and it is the head (every chained event carries the hash and sequence
   * number the head item would). One consistent query, a page of `limit` + 1 items.
   */
  async unchainedTail(tenantId: string, before: Date, limit: number): Promise<ChainTail | null> {
    const { Items = [], LastEvaluatedKey } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.tenant(tenantId),
          ':from': keys.eventPrefix,
          ':to': keys.event(idTimePrefix(before)),
        },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: limit + 1,
      }),
    );
    const newest = Items.findIndex((item) => typeof item.hash === 'string');
    const tail = (newest === -1 ? Items : Items.slice(0, newest)).map(toEvent).reverse();
    if (newest === -1) return LastEvaluatedKey || tail.length > limit ? null : { head: null, events: tail };
    const chained = Items[newest] as Record<string, unknown>;
    const seq = countOrNull(chained, 'seq');
    if (seq === null) return null;
    return { head: { hash: text(chained, 'hash'), eventId: text(chained, 'eventId'), seq }, events: tail };
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
    await this.table.transact(items, () => new ConcurrentModificationError('The audit chain moved on.'));
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
}
