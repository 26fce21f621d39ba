import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventBridgeClient } from '../adapters/aws-clients-eventbridge.ts';
import { auditEventOf } from '../adapters/dynamodb/stream.ts';
import { EventBridgeBus } from '../adapters/event-bus.ts';
import { eventData, isDeliverable } from '../domain/audit.ts';
import type { EventBus } from '../domain/ports.ts';
import { publishEvents } from '../use-cases/publish.ts';
import { log } from '../wiring/app.ts';
import { eventBusConfig } from '../wiring/config.ts';
import { logger, metrics, withMetrics } from '../wiring/observability.ts';

let bus: EventBus | undefined;
const appBus = () => {
  bus ??= new EventBridgeBus(eventBridgeClient(), eventBusConfig().EVENT_BUS_NAME);
  return bus;
};

/**
 * The event publisher, on the table's stream (the outbox): puts every deliverable event on the
 * vendor's bus. Events it could not put are reported as batch item failures, so the stream
 * delivers them (and what follows them) again for as long as it keeps them: at least once, in
 * order per shard, and no other consumer waits for it.
 */
export const handler = withMetrics((event: DynamoDBStreamEvent) => publishRecords(event, appBus()));

export async function publishRecords(
  event: DynamoDBStreamEvent,
  bus: EventBus,
): Promise<DynamoDBBatchResponse> {
  const items = event.Records.flatMap((record) => {
    const audit = auditEventOf(record);
    const sequence = record.dynamodb?.SequenceNumber;
    return audit && sequence && isDeliverable(audit) ? [{ sequence, data: eventData(audit) }] : [];
  });
  if (items.length === 0) return { batchItemFailures: [] };
  const result = await publishEvents(
    { bus, log },
    items.map((i) => i.data),
  );
  metrics.addMetric('EventsPublished', MetricUnit.Count, result.published);
  if (result.notPublished.length > 0)
    metrics.addMetric('EventsNotPublished', MetricUnit.Count, result.notPublished.length);
  if (result.notPublished.length > 0)
    logger.warn('events handed back to the stream', { notPublished: result.notPublished.length });
  return {
    batchItemFailures: result.notPublished.map((index) => ({
      itemIdentifier: items[index]?.sequence as string,
    })),
  };
}
