import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import { ConcurrentModificationError } from '../../domain/errors.ts';
import type { NotificationKey, NotificationLedger } from '../../domain/ports.ts';
import { shorten } from '../../domain/text.ts';
import { countOrNull } from './fields.ts';
import { keys } from './keys.ts';
import { isConditionFailure, type Table } from './table.ts';
import { TTL_ATTRIBUTE } from './table-definition.ts';

/** Ledger entries outlive any stream redelivery (24 h retention) by far. */
const NOTIFICATION_TTL_SECONDS = 30 * 86_400;

/** The notification ledger: one item per (event, contact), claimed as a lease before sending. */
export class DynamoNotificationLedger implements NotificationLedger {
  constructor(private readonly table: Table) {}

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
      const { Attributes } = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
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
      return { attempts: (Attributes && countOrNull(Attributes, 'attempts')) ?? 1 };
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  async settle(
    key: NotificationKey,
    owner: string,
    status: 'sent' | 'failed',
    event: AuditEvent,
  ): Promise<void> {
    await this.table.transact(
      [
        {
          Update: {
            TableName: this.table.name,
            Key: this.notificationKey(key),
            UpdateExpression: 'SET #status = :status REMOVE leaseUntil',
            ConditionExpression: '#owner = :owner AND #status = :sending',
            ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
            ExpressionAttributeValues: { ':status': status, ':owner': owner, ':sending': 'sending' },
          },
        },
        this.table.putEvent(event),
      ],
      () => new ConcurrentModificationError('The notification claim was lost before it was settled.'),
    );
  }

  async release(
    key: NotificationKey,
    owner: string,
    error: string,
    { countAttempt = true }: { countAttempt?: boolean } = {},
  ): Promise<void> {
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: this.notificationKey(key),
          // The claim counted the attempt; an uncounted one takes it back in the same write.
          UpdateExpression: `SET #status = :retry, lastError = :error${countAttempt ? '' : ' ADD attempts :minusOne'} REMOVE leaseUntil`,
          ConditionExpression: '#owner = :owner AND #status = :sending',
          ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':retry': 'retry',
            ':owner': owner,
            ':sending': 'sending',
            ':error': shorten(error, 500),
            ...(countAttempt ? {} : { ':minusOne': -1 }),
          },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
}
