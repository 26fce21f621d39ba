import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { chainPendingOf } from '../adapters/dynamodb/stream.ts';
import { chainPending } from '../use-cases/audit.ts';
import { appDeps } from '../wiring/app.ts';
import { logger, metrics, withMetrics } from '../wiring/observability.ts';

/**
 * The chaining step, on the table's stream (its event source gathers records for the settle
 * time, `CHAIN_EVENT_SOURCE`). Every tenant with settled events is chained after its head —
 * never past the tenant's check mark, so a check whose event the recorder has not written (or
 * never will: a batch the stream gave up on) is never passed over; the mark's move brings the
 * tenant back. Tenants with events too new to chain are left in a note that comes back through
 * the stream. A failure throws: the stream delivers the batch again and the chain goes on from
 * its head, so nothing is chained twice or skipped.
 */
export const handler = withMetrics(async (event: DynamoDBStreamEvent) => {
  const deps = appDeps();
  const pending = event.Records.flatMap(chainPendingOf);
  if (pending.length === 0) return { chained: 0 };
  const result = await chainPending(deps, pending);
  const lagMs = result.oldest ? deps.clock.now().getTime() - result.oldest.getTime() : undefined;
  logger.info('audit chained', {
    tenants: result.visited,
    later: result.later,
    chained: result.chained,
    ...(lagMs === undefined ? {} : { lagMs }),
  });
  if (lagMs !== undefined) metrics.addMetric('AuditChainLagMs', MetricUnit.Milliseconds, lagMs);
  return { chained: result.chained };
});
