import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { ExpiryEvent } from '../adapters/expiry-event.ts';
import { expireGrant } from '../use-cases/grants.ts';
import { appDeps, logger } from '../wiring/app.ts';

const metrics = new Metrics({ namespace: 'SupportAccess', serviceName: 'support-access' });

/** How long an invocation that came a little early waits for the deadline rather than failing. */
const EARLY_WAIT_LIMIT_MS = 5_000;

export class EarlyInvocationError extends Error {
  constructor() {
    super('Invoked before the grant’s deadline; the Scheduler retries.');
    this.name = 'EarlyInvocationError';
  }
}

/**
 * Invoked by the grant's one-time schedule at the deadline. Idempotent: a late, duplicate or
 * stale invocation changes nothing wrongly; an early one waits or fails so that it is retried.
 */
export const handler = async (event: unknown, context?: Context) => {
  const input = ExpiryEvent.parse(typeof event === 'string' ? JSON.parse(event) : event);
  const deps = appDeps();
  let result = await expireGrant(deps, input.tenantId, input.grantId);
  if (result.outcome === 'not-due' && result.grant && result.grant.version === input.version) {
    // The schedule for this very deadline fired early (clock skew): wait, or let it be retried.
    const waitMs = Date.parse(result.grant.expiresAt) - deps.clock.now().getTime();
    const remaining = context?.getRemainingTimeInMillis?.() ?? EARLY_WAIT_LIMIT_MS * 2;
    if (waitMs > EARLY_WAIT_LIMIT_MS || waitMs > remaining - 1000) throw new EarlyInvocationError();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs) + 5));
    result = await expireGrant(deps, input.tenantId, input.grantId);
  }
  logger.info('expiry', {
    tenantId: input.tenantId,
    grantId: input.grantId,
    outcome: result.outcome,
    lateByMs: result.lateByMs,
  });
  if (result.outcome === 'expired' && result.lateByMs !== undefined) {
    metrics.addMetric('RevocationLatenessMs', MetricUnit.Milliseconds, result.lateByMs);
    metrics.publishStoredMetrics();
  }
  return { outcome: result.outcome };
};
