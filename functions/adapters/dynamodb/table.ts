import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import type { Page, PageRequest } from '../../domain/ports.ts';
import type { CursorCodec, CursorScope } from './cursor.ts';
import { eventItem } from './items.ts';

export type Item = Record<string, unknown>;
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export const CONDITIONAL_CHECK_FAILED = 'ConditionalCheckFailed';

export interface CancellationReason {
  Code?: string;
  Item?: Item;
}

/**
 * The one table, as every aggregate's store uses it: consistent single-item reads, audit events
 * inside transactions, transactions that report which condition failed, and signed-cursor pages.
 */
export class Table {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly name: string,
    private readonly cursors: CursorCodec,
  ) {}

  /**
   * One page of a tenant's items of one kind (sort-key `prefix`), newest first, strongly
   * consistent, with cursors bound to that tenant and kind.
   */
  newestFirst<T>(
    pk: string,
    prefix: string,
    page: PageRequest,
    map: (item: Item) => T,
    keep: (value: T) => boolean = () => true,
  ): Promise<Page<T>> {
    return this.queryPage(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
      page,
      { fixed: { pk }, prefixed: { sk: prefix } },
      map,
      keep,
      (item) => ({ pk: item.pk, sk: item.sk }),
    );
  }

  /** A cursor this server issued for the list `scope` names, as the key to start after. */
  decodeCursor(cursor: string | undefined, scope: CursorScope): Record<string, string> | undefined {
    return this.cursors.decode(cursor, scope);
  }

  /** Every single-item read here is strongly consistent: decisions are never made on stale data. */
  async getItem(pk: string, sk: string): Promise<Item | undefined> {
    const { Item: item } = await this.doc.send(
      new GetCommand({ TableName: this.name, Key: { pk, sk }, ConsistentRead: true }),
    );
    return item;
  }

  putEvent(event: AuditEvent): TransactItem {
    return {
      Put: {
        TableName: this.name,
        Item: eventItem(event),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /** Runs a transaction; returns the cancellation reasons when a condition failed, else undefined. */
  async transact(items: TransactItem[]): Promise<CancellationReason[] | undefined> {
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
  async queryPage<T>(
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
          TableName: this.name,
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
