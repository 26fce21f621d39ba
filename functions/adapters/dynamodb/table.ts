import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import { ConcurrentModificationError } from '../../domain/errors.ts';
import type { Page, PageRequest } from '../../domain/ports.ts';
import type { CursorCodec, CursorScope } from './cursor.ts';
import { eventItem } from './items.ts';
import { keys } from './keys.ts';

/** The grant's receipt counter an event of support's adds to (none for other events). */
function receiptTally(event: AuditEvent): string | null {
  switch (event.type) {
    case 'access.checked':
      return 'receiptChecks';
    case 'contact.verified':
      return 'receiptVerifications';
    case 'support.activity':
      return 'receiptActivities';
    default:
      return null;
  }
}

export type Item = Record<string, unknown>;
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export const CONDITIONAL_CHECK_FAILED = 'ConditionalCheckFailed';

export interface CancellationReason {
  Code?: string;
  Item?: Item;
}

/** A transaction item whose failed condition means `failure` (see `Table.transact`). */
export interface GuardedItem {
  write: TransactItem;
  failure: (reason: CancellationReason) => Error | Promise<Error>;
}

export type TransactStep = TransactItem | GuardedItem;

/** Names what the item's failed condition means. */
export function guarded(write: TransactItem, failure: GuardedItem['failure']): GuardedItem {
  return { write, failure };
}

const writeOf = (step: TransactStep): TransactItem => ('write' in step ? step.write : step);

/** A single write refused by its condition. */
export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** The reasons of a cancelled transaction, item by item (undefined: not a cancelled transaction). */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons: unknown = Reflect.get(error, 'CancellationReasons');
  return Array.isArray(reasons) ? reasons : undefined;
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
  decodeCursor(cursor: string | undefined, scope: CursorScope): Promise<Record<string, string> | undefined> {
    return this.cursors.decode(cursor, scope);
  }

  encodeCursor(key: Record<string, unknown>, scope: CursorScope): Promise<string | null> {
    return this.cursors.encode(key, scope);
  }

  /** Every single-item read here is strongly consistent: decisions are never made on stale data. */
  async getItem(pk: string, sk: string): Promise<Item | undefined> {
    const { Item: item } = await this.doc.send(
      new GetCommand({ TableName: this.name, Key: { pk, sk }, ConsistentRead: true }),
    );
    return item;
  }

  /** One conditional Put or Update: false when its condition refused it, any other error thrown. */
  async writeIf(
    write: { Put: Omit<PutCommandInput, 'TableName'> } | { Update: Omit<UpdateCommandInput, 'TableName'> },
  ): Promise<boolean> {
    try {
      if ('Put' in write) await this.doc.send(new PutCommand({ TableName: this.name, ...write.Put }));
      else await this.doc.send(new UpdateCommand({ TableName: this.name, ...write.Update }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
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

  /**
   * An event and, for what support did under a grant, its count on the grant's receipt: written
   * together, so the receipt counts every such event exactly once without reading them again.
   */
  eventWrites(event: AuditEvent): TransactItem[] {
    const tally = receiptTally(event);
    if (!tally || !event.grantId) return [this.putEvent(event)];
    return [
      this.putEvent(event),
      {
        Update: {
          TableName: this.name,
          Key: { pk: keys.tenant(event.tenantId), sk: keys.grant(event.grantId) },
          UpdateExpression: `ADD ${tally} :one, receiptAgents :agent`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1, ':agent': new Set([event.actor]) },
        },
      },
    ];
  }

  /**
   * Runs a transaction, or throws what its failure means: the first item, in the order given,
   * whose condition failed and that names its failure (`guarded`) decides; a failed condition no
   * item names throws `otherwise`. List the items whose failure tells most first. A transaction
   * cancelled only because another write to one of its items was in flight (access checks stamp
   * the tenant's access item many times a second) is retried with fresh items from `build`, so a
   * time it compares against is taken again.
   */
  async transact(
    build: TransactStep[] | (() => TransactStep[]),
    otherwise: () => Error = () => new ConcurrentModificationError(),
  ): Promise<void> {
    const cancelled = await retryTransactionConflict(async () => {
      const steps = typeof build === 'function' ? build() : build;
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: steps.map(writeOf) }));
        return undefined;
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons?.some((r) => r.Code === CONDITIONAL_CHECK_FAILED)) return { steps, reasons };
        throw error;
      }
    });
    if (!cancelled) return;
    for (const [index, step] of cancelled.steps.entries()) {
      const reason = cancelled.reasons[index];
      if ('write' in step && reason?.Code === CONDITIONAL_CHECK_FAILED) throw await step.failure(reason);
    }
    throw otherwise();
  }

  /** Every page of a query, in order, read to its end. */
  async *queryToEnd(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.doc.send(
        new QueryCommand({ ...input, TableName: this.name, ExclusiveStartKey: startKey }),
      );
      yield result;
      startKey = result.LastEvaluatedKey;
    } while (startKey);
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
  ): Promise<Page<T>> {
    let startKey: Record<string, unknown> | undefined = await this.cursors.decode(page.cursor, scope);
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
      nextCursor: more && last ? await this.cursors.encode(keyOf(last.item), scope) : null,
    };
  }
}

/** Attempts of a write that met another write of the same item in flight. */
const CONFLICT_ATTEMPTS = 12;

/** A transaction cancelled by a concurrent write, or a plain write that met a transaction in flight. */
export function isTransactionConflict(error: unknown): boolean {
  if (error instanceof Error && error.name === 'TransactionConflictException') return true;
  const reasons = cancellationReasons(error);
  return (
    !!reasons?.some((r) => r.Code === 'TransactionConflict') &&
    !reasons.some((r) => r.Code === CONDITIONAL_CHECK_FAILED)
  );
}

/**
 * Retries `write` while it fails only because another write to the same item was in flight,
 * with jittered backoff (about 5 ms doubling to 160 ms, some 1.2 s in all): such a conflict
 * means nothing was written, so trying again is safe.
 */
export async function retryTransactionConflict<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
      const ceiling = Math.min(160, 5 * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
    }
  }
}
