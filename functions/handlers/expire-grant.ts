import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { ExpiryEvent } from '../adapters/expiry-event.ts';
import { expireGrant, remindGrant } from '../use-cases/grants.ts';
import { lapseInstruction } from '../use-cases/instructions.ts';
import { appDeps } from '../wiring/app.ts';
import { logger, metrics, withMetrics } from '../wiring/observability.ts';

/** How long an invocation that came a little early waits for the deadline rather than failing. */
const EARLY_WAIT_LIMIT_MS = 5_000;

export class EarlyInvocationError extends Error {
  constructor() {
    super('Invoked before the grant’s deadline; the Scheduler retries.');
    this.name = 'EarlyInvocationError';
  }
}

/** Waits out an invocation that came a little early, or fails it so that the Scheduler retries. */
async function waitFor(at: string, deps: ReturnType<typeof appDeps>, context?: Context): Promise<void> {
  const waitMs = Date.parse(at) - deps.clock.now().getTime();
  const remaining = context?.getRemainingTimeInMillis?.() ?? EARLY_WAIT_LIMIT_MS * 2;
  if (waitMs > EARLY_WAIT_LIMIT_MS || waitMs > remaining - 1000) throw new EarlyInvocationError();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs) + 5));
}

/**
 * Invoked by the grant's one-time schedules: at the deadline (ends it) and at the reminder
 * (every contact is told access ends soon). Idempotent: a late, duplicate or stale invocation
 * changes nothing wrongly; an early one waits or fails so that it is retried.
 */
export const handler = withMetrics(async (event: unknown, context?: Context) => {
  const input = ExpiryEvent.parse(typeof event === 'string' ? JSON.parse(event) : event);
  const deps = appDeps();
  if (input.kind === 'lapse') {
    // An instruction's lapse schedule (its id in `grantId`): rounded up, so never early.
    const outcome = await lapseInstruction(deps, input.tenantId, input.grantId);
    logger.info('instruction lapse', { tenantId: input.tenantId, instructionId: input.grantId, outcome });
    if (outcome === 'not-due') throw new EarlyInvocationError();
    return { outcome };
  }
  if (input.kind === 'reminder') {
    let reminder = await remindGrant(deps, input.tenantId, input.grantId);
    if (
      reminder.outcome === 'not-due' &&
      reminder.grant?.remindAt &&
      reminder.grant.version === input.version
    ) {
      await waitFor(reminder.grant.remindAt, deps, context);
      reminder = await remindGrant(deps, input.tenantId, input.grantId);
    }
    logger.info('reminder', { tenantId: input.tenantId, grantId: input.grantId, outcome: reminder.outcome });
    return { outcome: reminder.outcome };
  }
  let result = await expireGrant(deps, input.tenantId, input.grantId);
  if (result.outcome === 'not-due' && result.grant && result.grant.version === input.version) {
    // The schedule for this very deadline fired early (clock skew): wait, or let it be retried.
    await waitFor(result.grant.expiresAt, deps, context);
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
  }
  return { outcome: result.outcome };
});
