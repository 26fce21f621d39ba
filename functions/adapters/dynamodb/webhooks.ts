import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import { WebhookLimitReachedError, WebhookTestPendingError } from '../../domain/errors.ts';
import type { Page, PageRequest } from '../../domain/ports.ts';
import type { Delivery, WebhookStore } from '../../domain/webhook-store.ts';
import { type StoredWebhook, WEBHOOKS_MAX } from '../../domain/webhooks.ts';
import {
  CONDITIONAL_CHECK_FAILED,
  cancellationReasons,
  guarded,
  type Item,
  retryTransactionConflict,
  type Table,
} from './table.ts';
import { ACTIVE_BY_DEADLINE_INDEX, TTL_ATTRIBUTE } from './table-definition.ts';

/**
 * Webhooks and their deliveries on the one table (docs/data-model.md):
 * - `TENANT#<t>` / `WEBHOOK#<id>`: the webhook with its secrets (never listed as such);
 * - `TENANT#<t>` / `WEBHOOKS`: how many the tenant has, the limit's guard;
 * - `TENANT#<t>` / `WEBHOOK-TEST#<id>`: the event id of the webhook's latest test delivery
 *   (one pending at a time);
 * - `TENANT#<t>` / `DELIVERY#<webhookId>#<eventId>`: one event's delivery to one webhook;
 *   while pending it sits in the index partition `WEBHOOK-DUE`, sorted by when it is due.
 */
const tenantKey = (tenantId: string) => `TENANT#${tenantId}`;
const webhookKey = (webhookId: string) => `WEBHOOK#${webhookId}`;
const WEBHOOK_PREFIX = 'WEBHOOK#';
const COUNT_KEY = 'WEBHOOKS';
const testKey = (webhookId: string) => `WEBHOOK-TEST#${webhookId}`;
const deliveryPrefix = (webhookId: string) => `DELIVERY#${webhookId}#`;
const deliveryKey = (webhookId: string, eventId: string) => `${deliveryPrefix(webhookId)}${eventId}`;
export const DUE_PARTITION = 'WEBHOOK-DUE';
const DELIVERY_KEPT_SECONDS = 30 * 24 * 3600;
/** Items one DynamoDB transaction may write. */
const TRANSACTION_MAX = 100;
const dueSort = (d: Pick<Delivery, 'tenantId' | 'webhookId' | 'eventId'>, dueAt: string) =>
  `${dueAt}#${d.tenantId}#${d.webhookId}#${d.eventId}`;

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
    ...(delivery.dueAt ? { gsi1pk: DUE_PARTITION, gsi1sk: dueSort(delivery, delivery.dueAt) } : {}),
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
   * In transactions of up to a hundred conditional puts: on DynamoDB Local one such request
   * writes a batch several times faster than as many single puts (which hold up every other
   * write, the access checks' included); in AWS it costs what a put and an update each did.
   * A delivery written already cancels its transaction: the rest of it is written again.
   */
  async writeDeliveries(deliveries: readonly Delivery[]): Promise<Delivery[]> {
    const written: Delivery[] = [];
    for (let i = 0; i < deliveries.length; i += TRANSACTION_MAX) {
      let chunk = deliveries.slice(i, i + TRANSACTION_MAX);
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

  /** Writes every delivery or none; the indexes of those written already (none written then). */
  private async writeAll(deliveries: readonly Delivery[]): Promise<number[]> {
    return retryTransactionConflict(async () => {
      try {
        await this.table.doc.send(
          new TransactWriteCommand({
            TransactItems: deliveries.map((d) => ({
              Put: {
                TableName: this.table.name,
                Item: deliveryItem(d),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
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

  private async bringForward(delivery: Delivery, dueAt: string): Promise<boolean> {
    return this.table.writeIf({
      Update: {
        Key: { pk: tenantKey(delivery.tenantId), sk: deliveryKey(delivery.webhookId, delivery.eventId) },
        UpdateExpression: 'SET dueAt = :due, nextAttemptAt = :due, gsi1sk = :sort',
        ...asReadUnclaimed(delivery),
        ExpressionAttributeValues: {
          ...asReadUnclaimed(delivery).ExpressionAttributeValues,
          ':due': dueAt,
          ':sort': dueSort(delivery, dueAt),
        },
      },
    });
  }

  async dueDeliveries(now: Date, limit: number, after?: Delivery): Promise<Delivery[]> {
    const due: Delivery[] = [];
    // The index's sort key names the delivery, so the one read last is where the next page starts.
    let startKey: Record<string, unknown> | undefined = after?.dueAt
      ? {
          gsi1pk: DUE_PARTITION,
          gsi1sk: dueSort(after, after.dueAt),
          pk: tenantKey(after.tenantId),
          sk: deliveryKey(after.webhookId, after.eventId),
        }
      : undefined;
    do {
      const result = await this.table.doc.send(
        new QueryCommand({
          TableName: this.table.name,
          IndexName: ACTIVE_BY_DEADLINE_INDEX.indexName,
          KeyConditionExpression: '#pk = :pk AND #sk < :before',
          ExpressionAttributeNames: {
            '#pk': ACTIVE_BY_DEADLINE_INDEX.partitionKey,
            '#sk': ACTIVE_BY_DEADLINE_INDEX.sortKey,
          },
          // `~` sorts after every character of a timestamp and of the `#` that follows it.
          ExpressionAttributeValues: { ':pk': DUE_PARTITION, ':before': `${now.toISOString()}~` },
          Limit: limit - due.length,
          ExclusiveStartKey: startKey,
        }),
      );
      due.push(...(result.Items ?? []).map(toDelivery));
      startKey = result.LastEvaluatedKey;
    } while (startKey && due.length < limit);
    return due;
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

  async releaseDelivery(delivery: Delivery, claim: string, dueAt: Date): Promise<boolean> {
    const due = dueAt.toISOString();
    return this.table.writeIf({
      Update: {
        Key: { pk: tenantKey(delivery.tenantId), sk: deliveryKey(delivery.webhookId, delivery.eventId) },
        UpdateExpression: 'SET dueAt = :due, gsi1pk = :partition, gsi1sk = :sort REMOVE claim',
        ConditionExpression: 'claim = :claim',
        ExpressionAttributeValues: {
          ':due': due,
          ':partition': DUE_PARTITION,
          ':sort': dueSort(delivery, due),
          ':claim': claim,
        },
      },
    });
  }

  async settleAttempt(after: Delivery, claim: string): Promise<boolean> {
    return this.table.writeIf({
      Put: {
        Item: deliveryItem({ ...after, claim: null }),
        ConditionExpression: 'claim = :claim',
        ExpressionAttributeValues: { ':claim': claim },
      },
    });
  }

  listDeliveries(tenantId: string, webhookId: string, page: PageRequest): Promise<Page<Delivery>> {
    return this.table.newestFirst(tenantKey(tenantId), deliveryPrefix(webhookId), page, toDelivery);
  }
}
