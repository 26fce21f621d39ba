import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { sweepOverdueGrants } from '../use-cases/grants.ts';
import { logger } from '../wiring/app.ts';
import { schedulingDeps } from '../wiring/scheduling.ts';

const metrics = new Metrics({ namespace: 'SupportAccess', serviceName: 'support-access' });

/**
 * Every minute: ends any active grant whose deadline has passed. Finding one means its
 * schedule was lost or late; access had already ended at the deadline regardless.
 */
export const handler = async () => {
  const result = await sweepOverdueGrants(schedulingDeps());
  if (result.expired > 0) logger.warn('sweep ended overdue grants', result);
  metrics.addMetric('SweepExpiredGrants', MetricUnit.Count, result.expired);
  metrics.addMetric('SweepMissedSchedules', MetricUnit.Count, result.missed);
  metrics.publishStoredMetrics();
  return result;
};
