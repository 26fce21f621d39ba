import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { accessRecordOf } from '../adapters/dynamodb/stream.ts';
import { recordStampedChecks } from '../use-cases/audit.ts';
import { appDeps, logger } from '../wiring/app.ts';

const metrics = new Metrics({ serviceName: 'support-access' });

/**
 * The check recorder, on the table's stream: turns every check stamped on a tenant's access item
 * into its `access.checked` event within about a second (exactly once: keyed by the check's id)
 * and moves the tenant's check mark, which the chainer never chains past. It reads nothing else
 * and shares no consumer with mail, so neither slows the other. A failure throws: the stream
 * delivers the batch again and events already written are skipped.
 */
export const handler = async (event: DynamoDBStreamEvent) => {
  const checks = event.Records.flatMap((record) => accessRecordOf(record)?.stamped ?? []);
  if (checks.length === 0) return { written: 0 };
  const result = await recordStampedChecks(appDeps(), checks);
  logger.info('access checks recorded', { checks: checks.length, written: result.written });
  try {
    metrics.addMetric('AccessChecksRecorded', MetricUnit.Count, result.written);
    if (result.gaps.length > 0) metrics.addMetric('AccessCheckGaps', MetricUnit.Count, result.gaps.length);
  } finally {
    metrics.publishStoredMetrics();
  }
  return { written: result.written };
};
