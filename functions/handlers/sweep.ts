import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sweepDueReminders, sweepOverdueGrants } from '../use-cases/grants.ts';
import { sweepLapsedInstructions } from '../use-cases/instructions.ts';
import { logger, metrics, withMetrics } from '../wiring/observability.ts';
import { schedulingDeps } from '../wiring/scheduling.ts';

/**
 * Every minute: ends any active grant whose deadline has passed, and sends any reminder that is
 * due. Finding one means its schedule was lost or late; access had already ended at the
 * deadline regardless.
 */
export const handler = withMetrics(async () => {
  const deps = schedulingDeps();
  const result = await sweepOverdueGrants(deps);
  const reminders = await sweepDueReminders(deps);
  const instructions = await sweepLapsedInstructions(deps);
  if (instructions.lapsed > 0) logger.warn('sweep lapsed instructions', instructions);
  if (result.expired > 0) logger.warn('sweep ended overdue grants', result);
  if (reminders.reminded > 0) logger.warn('sweep sent due reminders', reminders);
  metrics.addMetric('SweepSentReminders', MetricUnit.Count, reminders.reminded);
  metrics.addMetric('SweepExpiredGrants', MetricUnit.Count, result.expired);
  metrics.addMetric('SweepMissedSchedules', MetricUnit.Count, result.missed);
  return {
    ...result,
    reminded: reminders.reminded,
    remindersMore: reminders.more,
    lapsed: instructions.lapsed,
  };
});
