import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toEvent } from '../adapters/dynamodb/store.ts';
import { notifyDeps } from '../notify-wiring.ts';
import { isNotifiedEvent, notifyContacts } from '../use-cases/notify.ts';
import { logger } from '../wiring.ts';

/**
 * Reads the table's stream (the outbox): every grant event item written with a state change
 * becomes one email to every contact of the tenant. Failed records are reported so the stream
 * redelivers from there; sends already made are never repeated (the ledger).
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const deps = notifyDeps();
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image) continue;
    const item = unmarshall(image as Record<string, AttributeValue> as never);
    if (item.kind !== 'event') continue;
    const auditEvent = toEvent(item);
    if (!isNotifiedEvent(auditEvent)) continue;
    try {
      const result = await notifyContacts(deps, auditEvent);
      logger.info('notified', { eventId: auditEvent.eventId, type: auditEvent.type, ...result });
      if (result.retry > 0) throw new Error('some emails must be retried');
    } catch (error) {
      logger.warn('notification batch stops here; the stream redelivers', {
        eventId: auditEvent.eventId,
        error: (error as Error).message,
      });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
};
