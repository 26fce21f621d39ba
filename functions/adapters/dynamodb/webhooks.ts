import {
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import {
  ConcurrentModificationError,
  WebhookLimitReachedError,
  WebhookTestPendingError,
} from '../../domain/errors.ts';
import type { Page, PageRequest } from '../../domain/ports.ts';
import type { Delivery, Lane, WebhookStore } from '../../domain/webhook-store.ts';
import { type StoredWebhook, WEBHOOKS_MAX } from '../../domain/webhooks.ts';
import {
  CONDITIONAL_CHECK_FAILED,
  cancellationReasons,
  guarded,
  type Item,
  isConditionFailure,
  retryTransactionConflict,
  type Table,
  type TransactItem,
} from './table.ts';
import { ACTIVE_BY_DEADLINE_INDEX, TTL_ATTRIBUTE } from './table-definition.ts';

/**
 * Webhooks and their deliveries on the one table (docs/data-model.md):
 * - `TENANT#<t>` / `WEBHOOK#<id>`: the webhook with its secrets (never listed as such);
 * - `TENANT#<t>` / `WEBHOOKS`: how many the tenant has, the limit's guard;
 * - `TENANT#<t>` / `WEBHOOK-TEST#<id>`: the event id of the webhook's latest test delivery
 *   (one pending at a time);
 * - `TENANT#<t>` / `DELIVERY#<webhookId>#<eventId>`: one event's delivery to one webhook;
 *   while pending it sits in its endpoint's index partition `WEBHOOK-DUE#<t>#<webhookId>`,
 *   sorted by when it is due;
 * - `TENANT#<t>` / `WEBHOOK-LANE#<webhookId>`: the endpoint's lane (how many deliveries are
 *   pending, the driver's lease); while any is pending it sits in the index partition
 *   `WEBHOOK-LANES`, sorted by when it wants its next look. It outlives a removed webhook until
 *   the driver has settled each of its deliveries.
 */
const tenantKey = (tenantId: string) => `TENANT#${tenantId}`;
const webhookKey = (webhookId: string) => `WEBHOOK#${webhookId}`;
const WEBHOOK_PREFIX = 'WEBHOOK#';
const COUNT_KEY = 'WEBHOOKS';
const testKey = (webhookId: string) => `WEBHOOK-TEST#${webhookId}`;
const deliveryPrefix = (webhookId: string) => `DELIVERY#${webhookId}#`;
const deliveryKey = (webhookId: string, eventId: string) => `${deliveryPrefix(webhookId)}${eventId}`;
const duePartition = (d: Pick<Delivery, 'tenantId' | 'webhookId'>) =>
  `WEBHOOK-DUE#${d.tenantId}#${d.webhookId}`;
const laneKey = (webhookId: string) => `WEBHOOK-LANE#${webhookId}`;
const LANES_PARTITION = 'WEBHOOK-LANES';
/** Where every pending delivery sat before each endpoint had its lane. */
const EARLIER_DUE_PARTITION = 'WEBHOOK-DUE';
const laneSort = (lane: Pick<Lane, 'tenantId' | 'webhookId'>, lookAt: string) =>
  `${lookAt}#${lane.tenantId}#${lane.webhookId}`;
const DELIVERY_KEPT_SECONDS = 30 * 24 * 3600;
/** Items one DynamoDB transaction may write. */
const TRANSACTION_MAX = 100;
const dueSort = (d: Pick<Delivery, 'eventId'>, dueAt: string) => `${dueAt}#${d.eventId}`;

function webhookItem(webhook: StoredWebhook): Item {
  return { pk: tenantKey(webhook.tenantId), sk: webhookKey(webhook.webhookId), kind: 'webhook', ...webhook };
}

function toWebhook(item: Item): StoredWebhook {
  return {
    webhookId: item.webhookId as string,
    tenantId: item.tenantId as string,
    url: item.url as string,
    eventTypes: item.eventTypes as StoredWebhook['eventTypes'],
    format: item.format as StoredWebhook['format'],
    locale: item.locale as StoredWebhook['locale'],
    description: (item.description as string | null | undefined) ?? null,
    createdAt: item.createdAt as string,
    createdBy: item.createdBy as string,
    secret: item.secret as string,
    previousSecret: (item.previousSecret as string | null | undefined) ?? null,
    previousSecretUntil: (item.previousSecretUntil as string | null | undefined) ?? null,
    earlierSecret: (item.earlierSecret as string | null | undefined) ?? null,
    earlierSecretUntil: (item.earlierSecretUntil as string | null | undefined) ?? null,
    failingUntil: (item.failingUntil as string | null | undefined) ?? null,
  };
}

function deliveryItem(delivery: Delivery): Item {
  return {
    pk: tenantKey(delivery.tenantId),
    sk: deliveryKey(delivery.webhookId, delivery.eventId),
    kind: 'webhook-delivery',
    ...delivery,
    // The delivery log is kept a month; DynamoDB's TTL removes older deliveries.
    [TTL_ATTRIBUTE]: Math.floor(Date.parse(delivery.at) / 1000) + DELIVERY_KEPT_SECONDS,
    ...(delivery.dueAt ? { gsi1pk: duePartition(delivery), gsi1sk: dueSort(delivery, delivery.dueAt) } : {}),
  };
}

function toDelivery(item: Item): Delivery {
  return {
    tenantId: item.tenantId as string,
    webhookId: item.webhookId as string,
    eventId: item.eventId as string,
    type: item.type as Delivery['type'],
    at: item.at as string,
    data: item.data as Record<string, unknown>,
    status: item.status as Delivery['status'],
    attempts: item.attempts as number,
    lastAttemptAt: (item.lastAttemptAt as string | null | undefined) ?? null,
    nextAttemptAt: (item.nextAttemptAt as string | null | undefined) ?? null,
    responseStatus: (item.responseStatus as number | null | undefined) ?? null,
    error: (item.error as string | null | undefined) ?? null,
    dueAt: (item.dueAt as string | null | undefined) ?? null,
    claim: (item.claim as string | null | undefined) ?? null,
  };
}

function toLane(item: Item): Lane {
  return {
    tenantId: item.tenantId as string,
    webhookId: item.webhookId as string,
    pending: (item.pending as number | undefined) ?? 0,
    version: (item.version as number | undefined) ?? 0,
    lookAt: (item.lookAt as string | null | undefined) ?? null,
    leaseHolder: (item.leaseHolder as string | null | undefined) ?? null,
    leaseUntil: (item.leaseUntil as string | null | undefined) ?? null,
  };
}

/**
 * The lane's update for `added` more pending deliveries (0: one brought forward), its next look
 * at `lookAt`: an upsert, so the first delivery creates the lane. It has no condition: it never
 * cancels the transaction of the deliveries it counts.
 */
function laneAdds(
  tableName: string,
  lane: Pick<Lane, 'tenantId' | 'webhookId'>,
  added: number,
  lookAt: string,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: { pk: tenantKey(lane.tenantId), sk: laneKey(lane.webhookId) },
      UpdateExpression:
        'ADD pending :added, version :one SET kind = :kind, tenantId = :tenant, webhookId = :webhook, lookAt = :lookAt, gsi1pk = :lanes, gsi1sk = :sort',
      ExpressionAttributeValues: {
        ':added': added,
        ':one': 1,
        ':kind': 'webhook-lane',
        ':tenant': lane.tenantId,
        ':webhook': lane.webhookId,
        ':lookAt': lookAt,
        ':lanes': LANES_PARTITION,
        ':sort': laneSort(lane, lookAt),
      },
    },
  };
}

/** Each lane's pending deliveries among `deliveries`: how many, and the soonest due. */
function pendingByLane(deliveries: readonly Delivery[]) {
  const lanes = new Map<
    string,
    { lane: Pick<Lane, 'tenantId' | 'webhookId'>; count: number; soonest: string }
  >();
  for (const d of deliveries) {
    if (d.status !== 'pending' || !d.dueAt) continue;
    const key = `${d.tenantId}#${d.webhookId}`;
    const seen = lanes.get(key);
    if (!seen) lanes.set(key, { lane: d, count: 1, soonest: d.dueAt });
    else {
      seen.count++;
      if (d.dueAt < seen.soonest) seen.soonest = d.dueAt;
    }
  }
  return lanes;
}

/** The deliveries in chunks whose puts and lane updates fit one transaction. */
function transactionChunks(deliveries: readonly Delivery[]): Delivery[][] {
  const chunks: Delivery[][] = [];
  let chunk: Delivery[] = [];
  for (const d of deliveries) {
    const next = [...chunk, d];
    if (next.length + pendingByLane(next).size > TRANSACTION_MAX) {
      chunks.push(chunk);
      chunk = [d];
    } else chunk = next;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** A pending delivery still as it was read and unclaimed (a claim moves `dueAt`). */
const asReadUnclaimed = (delivery: Delivery) => ({
  ConditionExpression: 'dueAt = :seen AND attempts = :attempts AND #status = :pending',
  ExpressionAttributeNames: { '#status': 'status' },
  ExpressionAttributeValues: {
    ':seen': delivery.dueAt,
    ':attempts': delivery.attempts,
    ':pending': 'pending',
  },
});

export class DynamoWebhooks implements WebhookStore {
  constructor(private readonly table: Table) {}

  /**
   * The webhook, its event and the tenant's count in one transaction: the count's condition
   * (below the limit) is what concurrent adds race on.
   */
  async addWebhook(webhook: StoredWebhook, event: AuditEvent): Promise<void> {
    await this.table.transact([
      {
        Put: {
          TableName: this.table.name,
          Item: webhookItem(webhook),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      this.table.putEvent(event),
      guarded(
        {
          Update: {
            TableName: this.table.name,
            Key: { pk: tenantKey(webhook.tenantId), sk: COUNT_KEY },
            UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one, kind = :kind',
            ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
            ExpressionAttributeNames: { '#n': 'webhooks' },
            ExpressionAttributeValues: {
              ':zero': 0,
              ':one': 1,
              ':max': WEBHOOKS_MAX,
              ':kind': 'webhook-count',
            },
          },
        },
        () => new WebhookLimitReachedError(WEBHOOKS_MAX),
      ),
    ]);
  }

  async getWebhook(tenantId: string, webhookId: string): Promise<StoredWebhook | null> {
    const item = await this.table.getItem(tenantKey(tenantId), webhookKey(webhookId));
    return item ? toWebhook(item) : null;
  }

  async listWebhooks(tenantId: string): Promise<StoredWebhook[]> {
    // At most WEBHOOKS_MAX small items: one page.
    const result = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': tenantKey(tenantId), ':prefix': WEBHOOK_PREFIX },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map(toWebhook).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async removeWebhook(webhook: StoredWebhook, event: AuditEvent): Promise<void> {
    await this.table.transact([
      {
        Delete: {
          TableName: this.table.name,
          Key: { pk: tenantKey(webhook.tenantId), sk: webhookKey(webhook.webhookId) },
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      this.table.putEvent(event),
      {
        Update: {
          TableName: this.table.name,
          Key: { pk: tenantKey(webhook.tenantId), sk: COUNT_KEY },
          UpdateExpression: 'SET #n = #n - :one',
          ConditionExpression: '#n > :zero',
          ExpressionAttributeNames: { '#n': 'webhooks' },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
        },
      },
    ]);
  }

  async tenantHeldUntil(tenantId: string): Promise<string | null> {
    const count = await this.table.getItem(tenantKey(tenantId), COUNT_KEY);
    return (count?.heldUntil as string | undefined) ?? null;
  }

  async holdTenant(tenantId: string, until: string): Promise<void> {
    // On the count item, which outlives every webhook: removing the endpoint does not lift it.
    await this.table.writeIf({
      Update: {
        Key: { pk: tenantKey(tenantId), sk: COUNT_KEY },
        UpdateExpression: 'SET heldUntil = :until, kind = :kind',
        ConditionExpression: 'attribute_not_exists(heldUntil) OR heldUntil < :until',
        ExpressionAttributeValues: { ':until': until, ':kind': 'webhook-count' },
      },
    });
  }

  async noteSlowEndpoint(tenantId: string, at: string): Promise<string | null> {
    const { Attributes } = await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: { pk: tenantKey(tenantId), sk: COUNT_KEY },
        UpdateExpression: 'SET slowAt = :at, kind = :kind',
        ExpressionAttributeValues: { ':at': at, ':kind': 'webhook-count' },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return (Attributes?.slowAt as string | undefined) ?? null;
  }

  async replaceSecret(before: StoredWebhook, after: StoredWebhook, event: AuditEvent): Promise<void> {
    const secrets = {
      secret: after.secret,
      previousSecret: after.previousSecret,
      previousSecretUntil: after.previousSecretUntil,
      earlierSecret: after.earlierSecret ?? null,
      earlierSecretUntil: after.earlierSecretUntil ?? null,
    };
    await this.table.transact([
      {
        Update: {
          TableName: this.table.name,
          Key: { pk: tenantKey(before.tenantId), sk: webhookKey(before.webhookId) },
          // The secrets alone: the failing mark is the senders' to write, whenever they do.
          UpdateExpression: `SET ${Object.keys(secrets)
            .map((name) => `${name} = :${name}`)
            .join(', ')}`,
          ConditionExpression: 'secret = :before',
          ExpressionAttributeValues: {
            ...Object.fromEntries(Object.entries(secrets).map(([name, value]) => [`:${name}`, value])),
            ':before': before.secret,
          },
        },
      },
      this.table.putEvent(event),
    ]);
  }

  async markFailing(tenantId: string, webhookId: string, until: string | null): Promise<void> {
    await this.table.writeIf({
      Update: {
        Key: { pk: tenantKey(tenantId), sk: webhookKey(webhookId) },
        UpdateExpression: until ? 'SET failingUntil = :until' : 'REMOVE failingUntil',
        // A removed webhook stays removed.
        ConditionExpression: 'attribute_exists(pk)',
        ...(until ? { ExpressionAttributeValues: { ':until': until } } : {}),
      },
    });
  }

  /**
   * In transactions of up to a hundred items, the conditional puts of deliveries and their
   * lanes' counts: on DynamoDB Local one such request writes a batch several times faster than
   * as many single puts (which hold up every other write, the access checks' included); in AWS
   * it costs what a put and an update each did. A delivery written already cancels its
   * transaction: the rest of it is written again, with the lanes counting only what it writes.
   */
  async writeDeliveries(deliveries: readonly Delivery[]): Promise<Delivery[]> {
    const written: Delivery[] = [];
    for (let chunk of transactionChunks(deliveries)) {
      while (chunk.length > 0) {
        const refused = await this.writeAll(chunk);
        if (refused.length === 0) {
          written.push(...chunk);
          break;
        }
        chunk = chunk.filter((_, index) => !refused.includes(index));
      }
    }
    return written;
  }

  /** Writes every delivery, and counts the pending ones on their lanes, or nothing; the indexes of those written already (none written then). */
  private async writeAll(deliveries: readonly Delivery[]): Promise<number[]> {
    return retryTransactionConflict(async () => {
      try {
        await this.table.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              ...deliveries.map((d) => ({
                Put: {
                  TableName: this.table.name,
                  Item: deliveryItem(d),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              })),
              ...[...pendingByLane(deliveries).values()].map(({ lane, count, soonest }) =>
                laneAdds(this.table.name, lane, count, soonest),
              ),
            ],
          }),
        );
        return [];
      } catch (error) {
        const refused = (cancellationReasons(error) ?? []).flatMap((r, index) =>
          r.Code === CONDITIONAL_CHECK_FAILED ? [index] : [],
        );
        if (refused.length === 0) throw error;
        return refused;
      }
    });
  }

  async startTest(delivery: Delivery): Promise<string> {
    const pk = tenantKey(delivery.tenantId);
    const latest = await this.table.getItem(pk, testKey(delivery.webhookId));
    if (latest) {
      const item = await this.table.getItem(pk, deliveryKey(delivery.webhookId, latest.eventId as string));
      const previous = item ? toDelivery(item) : null;
      if (previous?.status === 'pending') {
        // Waiting for a retry (the receiver failed it before): that retry is what a new test
        // would be, so it is brought forward; due now or being attempted, it is on its way.
        const now = delivery.dueAt as string;
        const waiting = previous.claim === null && previous.dueAt !== null && previous.dueAt > now;
        if (!waiting || !(await this.bringForward(previous, now))) throw new WebhookTestPendingError();
        return previous.eventId;
      }
    }
    // Lost to another test at once: ConcurrentModificationError (the use case reads again).
    await this.table.transact([
      {
        Put: {
          TableName: this.table.name,
          Item: deliveryItem(delivery),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      laneAdds(this.table.name, delivery, 1, delivery.dueAt as string),
      {
        Put: {
          TableName: this.table.name,
          Item: {
            pk,
            sk: testKey(delivery.webhookId),
            kind: 'webhook-test',
            eventId: delivery.eventId,
            [TTL_ATTRIBUTE]: Math.floor(Date.parse(delivery.at) / 1000) + DELIVERY_KEPT_SECONDS,
          },
          // Two tests at once: the one that read the marker last as it is now wins.
          ...(latest
            ? {
                ConditionExpression: 'eventId = :seen',
                ExpressionAttributeValues: { ':seen': latest.eventId },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        },
      },
    ]);
    return delivery.eventId;
  }

  /** The delivery due at `dueAt` instead, and its lane's next look with it. */
  private async bringForward(delivery: Delivery, dueAt: string): Promise<boolean> {
    try {
      await this.table.transact([
        {
          Update: {
            TableName: this.table.name,
            Key: { pk: tenantKey(delivery.tenantId), sk: deliveryKey(delivery.webhookId, delivery.eventId) },
            UpdateExpression: 'SET dueAt = :due, nextAttemptAt = :due, gsi1sk = :sort',
            ...asReadUnclaimed(delivery),
            ExpressionAttributeValues: {
              ...asReadUnclaimed(delivery).ExpressionAttributeValues,
              ':due': dueAt,
              ':sort': dueSort(delivery, dueAt),
            },
          },
        },
        laneAdds(this.table.name, delivery, 0, dueAt),
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConcurrentModificationError) return false;
      throw error;
    }
  }

  async lanesToLook(before: Date): Promise<Lane[]> {
    const lanes: Lane[] = [];
    for await (const page of this.table.queryToEnd({
      IndexName: ACTIVE_BY_DEADLINE_INDEX.indexName,
      KeyConditionExpression: '#pk = :pk AND #sk < :before',
      ExpressionAttributeNames: {
        '#pk': ACTIVE_BY_DEADLINE_INDEX.partitionKey,
        '#sk': ACTIVE_BY_DEADLINE_INDEX.sortKey,
      },
      // `~` sorts after every character of a timestamp and of the `#` that follows it.
      ExpressionAttributeValues: { ':pk': LANES_PARTITION, ':before': `${before.toISOString()}~` },
    }))
      lanes.push(...(page.Items ?? []).map(toLane));
    return lanes;
  }

  async laneEarlierDeliveries(limit: number, now: Date): Promise<number> {
    const { Items: items = [] } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.name,
        IndexName: ACTIVE_BY_DEADLINE_INDEX.indexName,
        ExpressionAttributeNames: {
          '#pk': ACTIVE_BY_DEADLINE_INDEX.partitionKey,
          '#sk': ACTIVE_BY_DEADLINE_INDEX.sortKey,
        },
        // A claimed one is due when its claim lapses: only those unclaimed or lapsed by now.
        KeyConditionExpression: '#pk = :pk AND #sk < :before',
        ExpressionAttributeValues: { ':pk': EARLIER_DUE_PARTITION, ':before': `${now.toISOString()}~` },
        Limit: limit,
      }),
    );
    let moved = 0;
    for (const d of items.map(toDelivery)) {
      if (!d.dueAt) continue;
      try {
        await this.table.transact([
          {
            Update: {
              TableName: this.table.name,
              Key: { pk: tenantKey(d.tenantId), sk: deliveryKey(d.webhookId, d.eventId) },
              // Unclaimed from here on: an earlier driver's late record fails its claim's condition.
              UpdateExpression: 'SET gsi1pk = :partition, gsi1sk = :sort, claim = :none',
              ConditionExpression: 'gsi1pk = :earlier AND dueAt = :seen',
              ExpressionAttributeValues: {
                ':partition': duePartition(d),
                ':sort': dueSort(d, d.dueAt),
                ':none': null,
                ':earlier': EARLIER_DUE_PARTITION,
                ':seen': d.dueAt,
              },
            },
          },
          // Looked at now, whatever each is due: the look reads when the lane's next one falls due.
          laneAdds(this.table.name, d, 1, now.toISOString()),
        ]);
        moved++;
      } catch (error) {
        // Moved by another look, or settled meanwhile.
        if ((error as Error).name !== 'ConcurrentModificationError') throw error;
      }
    }
    return moved;
  }

  async takeLane(
    lane: Pick<Lane, 'tenantId' | 'webhookId'>,
    holder: string,
    now: Date,
    until: Date,
  ): Promise<Lane | null> {
    try {
      // A lane meets the sender's transactions (its counts) in flight: tried again, as they are.
      const { Attributes } = await retryTransactionConflict(() =>
        this.table.doc.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: { pk: tenantKey(lane.tenantId), sk: laneKey(lane.webhookId) },
            UpdateExpression: 'SET leaseHolder = :holder, leaseUntil = :until',
            ConditionExpression: 'lookAt <= :now AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
            ExpressionAttributeValues: {
              ':holder': holder,
              ':until': until.toISOString(),
              ':now': now.toISOString(),
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return toLane(Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  async laneDeliveries(tenantId: string, webhookId: string, limit: number): Promise<Delivery[]> {
    const result = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.name,
        IndexName: ACTIVE_BY_DEADLINE_INDEX.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': ACTIVE_BY_DEADLINE_INDEX.partitionKey },
        ExpressionAttributeValues: { ':pk': duePartition({ tenantId, webhookId }) },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map(toDelivery);
  }

  /**
   * At most three conditional updates, the first that applies: the next look (none written
   * since, or only later ones); out of the index (none pending); the lease alone (a writer's
   * sooner look stands).
   */
  async releaseLane(taken: Lane, holder: string, lookAt: Date): Promise<string | null> {
    const Key = { pk: tenantKey(taken.tenantId), sk: laneKey(taken.webhookId) };
    const at = lookAt.toISOString();
    if (
      await this.laneWriteIf({
        Key,
        UpdateExpression: 'SET lookAt = :at, gsi1sk = :sort REMOVE leaseHolder, leaseUntil',
        ConditionExpression:
          'leaseHolder = :holder AND pending > :zero AND (version = :version OR lookAt > :at)',
        ExpressionAttributeValues: {
          ':at': at,
          ':sort': laneSort(taken, at),
          ':holder': holder,
          ':zero': 0,
          ':version': taken.version,
        },
      })
    )
      return at;
    if (
      await this.laneWriteIf({
        Key,
        UpdateExpression: 'REMOVE lookAt, gsi1pk, gsi1sk, leaseHolder, leaseUntil',
        ConditionExpression: 'leaseHolder = :holder AND pending <= :zero',
        ExpressionAttributeValues: { ':holder': holder, ':zero': 0 },
      })
    )
      return null;
    // Written to since with a sooner look: that one stands, and the holder plans for it.
    try {
      const { Attributes } = await retryTransactionConflict(() =>
        this.table.doc.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key,
            UpdateExpression: 'REMOVE leaseHolder, leaseUntil',
            ConditionExpression: 'leaseHolder = :holder',
            ExpressionAttributeValues: { ':holder': holder },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return toLane(Attributes ?? {}).lookAt;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  /** A conditional update of a lane, tried again while it meets a sender's transaction in flight. */
  private laneWriteIf(update: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
    return retryTransactionConflict(() => this.table.writeIf({ Update: update }));
  }

  async claimDelivery(delivery: Delivery, claim: string, until: Date): Promise<boolean> {
    const dueAt = until.toISOString();
    return this.table.writeIf({
      Update: {
        Key: { pk: tenantKey(delivery.tenantId), sk: deliveryKey(delivery.webhookId, delivery.eventId) },
        UpdateExpression: 'SET claim = :claim, dueAt = :until, gsi1sk = :sort',
        ...asReadUnclaimed(delivery),
        ExpressionAttributeValues: {
          ...asReadUnclaimed(delivery).ExpressionAttributeValues,
          ':claim': claim,
          ':until': dueAt,
          ':sort': dueSort(delivery, dueAt),
        },
      },
    });
  }

  async settleAttempt(after: Delivery, claim: string): Promise<boolean> {
    const record: TransactItem = {
      Put: {
        TableName: this.table.name,
        Item: deliveryItem({ ...after, claim: null }),
        ConditionExpression: 'claim = :claim',
        ExpressionAttributeValues: { ':claim': claim },
      },
    };
    if (after.status === 'pending') return this.table.writeIf({ Put: record.Put as never });
    try {
      await this.table.transact([
        record,
        {
          Update: {
            TableName: this.table.name,
            Key: { pk: tenantKey(after.tenantId), sk: laneKey(after.webhookId) },
            UpdateExpression: 'ADD pending :less',
            ExpressionAttributeValues: { ':less': -1 },
          },
        },
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConcurrentModificationError) return false;
      throw error;
    }
  }

  listDeliveries(tenantId: string, webhookId: string, page: PageRequest): Promise<Page<Delivery>> {
    return this.table.newestFirst(tenantKey(tenantId), deliveryPrefix(webhookId), page, toDelivery);
  }
}
