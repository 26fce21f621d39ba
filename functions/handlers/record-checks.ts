import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { accessRecordOf } from '../adapters/dynamodb/stream.ts';
import { recordStampedChecks } from '../use-cases/audit.ts';
import { appDeps } from '../wiring/app.ts';
import { logger, metrics, withMetrics } from '../wiring/observability.ts';

/**
 * The check recorder, on the table's stream: turns every check stamped on a tenant's access item
 * into its `access.checked` event within about a second (exactly once: keyed by the check's id)
 * and moves the tenant's check mark, which the chainer never chains past. It reads nothing else
 * and shares no consumer with mail, so neither slows the other. A failure throws: the stream
 * delivers the batch again and events already written are skipped.
 */
export const handler = withMetrics(async (event: DynamoDBStreamEvent) => {
  const checks = event.Records.flatMap((record) => accessRecordOf(record)?.stamped ?? []);
  if (checks.length === 0) return { written: 0 };
  const result = await recordStampedChecks(appDeps(), checks);
  logger.info('access checks recorded', { checks: checks.length, written: result.written });
  metrics.addMetric('AccessChecksRecorded', MetricUnit.Count, result.written);
  if (result.gaps.length > 0) metrics.addMetric('AccessCheckGaps', MetricUnit.Count, result.gaps.length);
  return { written: result.written };
});
