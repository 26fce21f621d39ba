import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { auditEventOf } from '../adapters/dynamodb/stream.ts';
import { CHAIN_SETTLE_MS, chainAuditLog, chainBound } from '../use-cases/audit.ts';
import { forEachConcurrently } from '../use-cases/deps.ts';
import { appDeps } from '../wiring/app.ts';
import { logger, metrics, withMetrics } from '../wiring/observability.ts';

/** Tenants chained at the same time within one batch. */
const CONCURRENT_TENANTS = 16;

/**
 * The chaining step, on the table's stream. For every tenant with new audit events it waits until
 * those have settled (no event made earlier can still arrive) and chains everything settled
 * after the tenant's head — never past the tenant's check mark, so a check whose event the
 * recorder has not written (or never will: a batch the stream gave up on) is never passed over.
 * A check's event, once written, is itself a new audit event that brings the tenant back. A
 * failure throws: the stream delivers the batch again and the chain goes on from its head, so
 * nothing is chained twice or skipped.
 */
export const handler = withMetrics(async (event: DynamoDBStreamEvent, context?: Context) => {
  const deps = appDeps();
  const newest = new Map<string, number>();
  for (const record of event.Records) {
    const auditEvent = auditEventOf(record);
    if (!auditEvent) continue;
    const at = Date.parse(auditEvent.at);
    newest.set(auditEvent.tenantId, Math.max(newest.get(auditEvent.tenantId) ?? 0, at));
  }
  if (newest.size === 0) return { chained: 0 };
  const settledAt = Math.max(...newest.values()) + CHAIN_SETTLE_MS;
  const remaining = context?.getRemainingTimeInMillis?.() ?? 60_000;
  const wait = Math.min(settledAt - deps.clock.now().getTime(), remaining - 10_000);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  // Tenants' chains are independent: several at once (each chain is written in order).
  let chained = 0;
  await forEachConcurrently([...newest.keys()], CONCURRENT_TENANTS, async (tenantId) => {
    const bound = await chainBound(deps, tenantId);
    if (bound !== null) chained += (await chainAuditLog(deps, tenantId, CHAIN_SETTLE_MS, bound)).chained;
  });
  const lagMs = deps.clock.now().getTime() - Math.min(...newest.values());
  logger.info('audit chained', { tenants: newest.size, chained, lagMs });
  metrics.addMetric('AuditChainLagMs', MetricUnit.Milliseconds, lagMs);
  return { chained };
});
