import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { parseScheduledWork } from '../adapters/expiry-event.ts';
import { runScheduledWork } from '../use-cases/scheduled-work.ts';
import { appDeps } from '../wiring/app.ts';
import { logger, metrics, withMetrics } from '../wiring/observability.ts';

export { EarlyInvocationError } from '../use-cases/scheduled-work.ts';

/**
 * Invoked by the one-time schedules: a grant's deadline (ends it), its reminder (every contact
 * is told access ends soon) and an instruction's lapse. An invocation that came early waits or
 * fails (the use case decides), so that the Scheduler retries it.
 */
export const handler = withMetrics(async (event: unknown, context?: Context) => {
  const work = parseScheduledWork(event);
  const result = await runScheduledWork(appDeps(), work, {
    remainingMs: context?.getRemainingTimeInMillis ? () => context.getRemainingTimeInMillis() : undefined,
  });
  const subject = work.kind === 'lapse' ? { instructionId: work.instructionId } : { grantId: work.grantId };
  logger.info(work.kind, { tenantId: work.tenantId, ...subject, ...result });
  if (result.kind === 'expiry' && result.outcome === 'expired' && result.lateByMs !== undefined) {
    metrics.addMetric('RevocationLatenessMs', MetricUnit.Milliseconds, result.lateByMs);
  }
  return { outcome: result.outcome };
});
