import type { DynamoDBStreamEvent } from 'aws-lambda';
import { auditEventOf } from '../adapters/dynamodb/stream.ts';
import { eventData, isDeliverable } from '../domain/audit.ts';
import { deliverEvents } from '../use-cases/webhook-delivery.ts';
import { logger } from '../wiring/observability.ts';
import { deliveryDeps } from '../wiring/webhooks.ts';

/**
 * Customers' webhooks, on the table's stream (its own consumer): every deliverable event becomes
 * a delivery to each webhook of its tenant that takes it, attempted and written with its
 * outcome, so a failed attempt is retried by the retry driver, never by the stream. Only a
 * failure to write a delivery hands the batch back to the stream (thrown).
 */
export const handler = async (event: DynamoDBStreamEvent) => {
  const events = event.Records.flatMap((record) => {
    const audit = auditEventOf(record);
    return audit && isDeliverable(audit) ? [eventData(audit)] : [];
  });
  if (events.length === 0) return { batchItemFailures: [] };
  const result = await deliverEvents(deliveryDeps(), events);
  if (result.attempted > 0) logger.info('webhook deliveries', result);
  return { batchItemFailures: [] };
};
