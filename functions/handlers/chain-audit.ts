import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { accessRecordOf, auditEventOf } from '../adapters/dynamodb/stream.ts';
import type { StampedCheck } from '../domain/access-check.ts';
import { CHAIN_SETTLE_MS, chainAuditLog, chainBound, recordStampedChecks } from '../use-cases/audit.ts';
import { forEachConcurrently } from '../use-cases/deps.ts';
import { appDeps, logger } from '../wiring/app.ts';

const metrics = new Metrics({ serviceName: 'support-access' });

/** Tenants chained at the same time within one batch. */
const CONCURRENT_TENANTS = 16;

/**
 * The chaining step, on the table's stream. First it makes sure the `access.checked` events of
 * the checks stamped on access items are written (the notifier mostly has; exactly once: keyed by
 * the check's id). Then, for every tenant
 * with new audit events, it waits until those have settled (no event made earlier can still
 * arrive) and chains everything settled after the tenant's head — never past a check whose stamp
 * is still on its way in the stream. A failure throws: the stream delivers the batch again and
 * the chain goes on from its head, so nothing is recorded twice, chained twice or skipped.
 */
export const handler = async (event: DynamoDBStreamEvent, context?: Context) => {
  const deps = appDeps();
  const newest = new Map<string, number>();
  const newestAccessWrite = new Map<string, number>();
  const checks: StampedCheck[] = [];
  const seen = (tenantId: string, at: string) =>
    newest.set(tenantId, Math.max(newest.get(tenantId) ?? 0, Date.parse(at)));
  for (const record of event.Records) {
    const auditEvent = auditEventOf(record);
    if (auditEvent) {
      seen(auditEvent.tenantId, auditEvent.at);
      continue;
    }
    const access = accessRecordOf(record);
    if (!access) continue;
    const written = access.writtenAt.getTime();
    newestAccessWrite.set(access.tenantId, Math.max(newestAccessWrite.get(access.tenantId) ?? 0, written));
    if (!access.stamped) continue;
    checks.push(access.stamped);
    seen(access.tenantId, access.stamped.check.checkedAt);
  }
  const recorded = await recordStampedChecks(deps, checks, { lookFirst: true });
  if (newest.size === 0) return { recorded, chained: 0 };
  const settledAt = Math.max(...newest.values()) + CHAIN_SETTLE_MS;
  const remaining = context?.getRemainingTimeInMillis?.() ?? 60_000;
  const wait = Math.min(settledAt - deps.clock.now().getTime(), remaining - 10_000);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  // Tenants' chains are independent: several at once (each chain is written in order).
  let chained = 0;
  await forEachConcurrently([...newest.keys()], CONCURRENT_TENANTS, async (tenantId) => {
    const write = newestAccessWrite.get(tenantId);
    const bound = await chainBound(deps, tenantId, write === undefined ? undefined : new Date(write));
    if (bound !== null) chained += (await chainAuditLog(deps, tenantId, CHAIN_SETTLE_MS, bound)).chained;
  });
  const lagMs = deps.clock.now().getTime() - Math.min(...newest.values());
  logger.info('audit chained', { tenants: newest.size, recorded, chained, lagMs });
  metrics.addMetric('AuditChainLagMs', MetricUnit.Milliseconds, lagMs);
  metrics.addMetric('AccessChecksRecorded', MetricUnit.Count, recorded);
  metrics.publishStoredMetrics();
  return { recorded, chained };
};
