import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { auditEventOf } from '../adapters/dynamodb/stream.ts';
import { CHAIN_SETTLE_MS, chainAuditLog } from '../use-cases/audit.ts';
import { appDeps, logger } from '../wiring/app.ts';

const metrics = new Metrics({ namespace: 'SupportAccess', serviceName: 'support-access' });

/** Tenants chained at the same time within one batch. */
const CONCURRENT_TENANTS = 16;

/**
 * The chaining step, on the table's stream: for every tenant with new audit events it waits
 * until those events have settled (no event made earlier can still arrive), then chains
 * everything settled after the tenant's head. A failure throws: the stream delivers the batch
 * again and the chain goes on from its head, so nothing is chained twice or skipped.
 */
export const handler = async (event: DynamoDBStreamEvent, context?: Context) => {
  const deps = appDeps();
  const newest = new Map<string, number>();
  for (const record of event.Records) {
    const auditEvent = auditEventOf(record);
    if (!auditEvent) continue;
    const made = Date.parse(auditEvent.at);
    newest.set(auditEvent.tenantId, Math.max(newest.get(auditEvent.tenantId) ?? 0, made));
  }
  if (newest.size === 0) return { chained: 0 };
  const settledAt = Math.max(...newest.values()) + CHAIN_SETTLE_MS;
  const remaining = context?.getRemainingTimeInMillis?.() ?? 60_000;
  const wait = Math.min(settledAt - deps.clock.now().getTime(), remaining - 10_000);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  // Tenants' chains are independent: several at once (each chain is written in order).
  let chained = 0;
  const queue = [...newest.keys()];
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENT_TENANTS, queue.length) }, async () => {
      for (let tenantId = queue.shift(); tenantId; tenantId = queue.shift())
        chained += (await chainAuditLog(deps, tenantId)).chained;
    }),
  );
  const lagMs = deps.clock.now().getTime() - Math.min(...newest.values());
  logger.info('audit chained', { tenants: newest.size, chained, lagMs });
  metrics.addMetric('AuditChainLagMs', MetricUnit.Milliseconds, lagMs);
  metrics.publishStoredMetrics();
  return { chained };
};
