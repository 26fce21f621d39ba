import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { auditEventOf, chainedEventOf } from '../adapters/dynamodb/stream.ts';
import { type AuditEvent, isMailedWhenChained } from '../domain/audit.ts';
import { forEachConcurrently } from '../use-cases/deps.ts';
import { isNotifiedEvent, notifyContacts } from '../use-cases/notify.ts';
import { notifyDeps } from '../wiring/notify.ts';
import { logger, metrics, withMetrics } from '../wiring/observability.ts';

/** Grants notified at the same time; one grant's events always go out in order. */
const CONCURRENT_GRANTS = 8;

/**
 * How long one invocation's sends may wait for their turn at the account's quota before the
 * batch is handed back to the stream (which delivers it again): long enough that a throttled
 * batch never comes back in a hot loop, short enough that a send that waited ends well within
 * the function's timeout and its claim's lease.
 */
const PACING_BUDGET_MS = 30_000;
/** Left of the function's time after the pacing budget: the last sends and the ledger writes. */
const FINISH_MS = 20_000;

interface Pending {
  record: DynamoDBRecord;
  event: AuditEvent;
  index: number;
}

/** The event a record asks to mail about: as written, or (a grant's end) as the chain sealed it. */
function mailedEvent(record: DynamoDBRecord): AuditEvent | null {
  const written = auditEventOf(record);
  if (written) return isNotifiedEvent(written) && !isMailedWhenChained(written.type) ? written : null;
  const sealed = chainedEventOf(record);
  return sealed && isMailedWhenChained(sealed.type) ? sealed : null;
}

/**
 * Reads the table's stream (the outbox): every grant, contact and instruction event written
 * with a state change becomes one email to every contact of the tenant; the end of a grant once
 * the chain has sealed it (its receipt names a head that covers it). Different grants are
 * notified concurrently, each grant's events in order. A failure is reported at the earliest
 * failed record, so the stream redelivers from there; sends already made are never repeated
 * (the ledger). Access checks never pass through here (their own recorder), so a flood of them
 * never delays mail.
 */
export const handler = withMetrics(notifyBatch);

async function notifyBatch(
  event: DynamoDBStreamEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<DynamoDBBatchResponse> {
  const deps = notifyDeps();
  const remaining = context?.getRemainingTimeInMillis() ?? PACING_BUDGET_MS + FINISH_MS;
  const deadline = Date.now() + Math.max(0, Math.min(PACING_BUDGET_MS, remaining - FINISH_MS));
  const byGrant = new Map<string, Pending[]>();
  event.Records.forEach((record, index) => {
    const auditEvent = mailedEvent(record);
    if (!auditEvent) return;
    const key = auditEvent.grantId ?? auditEvent.eventId;
    byGrant.set(key, [...(byGrant.get(key) ?? []), { record, event: auditEvent, index }]);
  });
  const groups = [...byGrant.values()];
  const failure: { first?: Pending } = {};
  let failedForGood = 0;
  let unrecorded = 0;
  let throttled = 0;
  let deferred = 0;
  const work = async (group: Pending[]) => {
    for (const pending of group) {
      try {
        const result = await notifyContacts(deps, pending.event, { deadline });
        failedForGood += result.failed;
        unrecorded += result.unrecorded;
        throttled += result.throttled;
        deferred += result.deferred;
        logger.info('notified', { eventId: pending.event.eventId, type: pending.event.type, ...result });
        if (result.retry > 0) throw new Error('some emails must be retried');
        // Held back by the mail quota: this record and the grant's later ones wait for the redelivery.
        if (result.throttled > 0 || result.deferred > 0) throw new Error('the mail quota holds emails back');
      } catch (error) {
        logger.warn('notification will be redelivered', {
          eventId: pending.event.eventId,
          error: error instanceof Error ? error.message : String(error),
        });
        if (!failure.first || pending.index < failure.first.index) failure.first = pending;
        return; // later events of this grant wait for the redelivery
      }
    }
  };
  await forEachConcurrently(groups, CONCURRENT_GRANTS, work);
  if (failedForGood > 0 || unrecorded > 0 || throttled > 0 || deferred > 0) {
    metrics.addMetric('NotificationsFailed', MetricUnit.Count, failedForGood);
    metrics.addMetric('NotificationsUnrecorded', MetricUnit.Count, unrecorded);
    // Emails held back because the account's daily sending quota is used up (alarmed).
    metrics.addMetric('NotificationsThrottled', MetricUnit.Count, throttled);
    // Emails whose turn at the account's send rate came after this invocation's budget.
    metrics.addMetric('NotificationsDeferred', MetricUnit.Count, deferred);
  }
  const failed = failure.first;
  return {
    batchItemFailures: failed ? [{ itemIdentifier: failed.record.dynamodb?.SequenceNumber ?? '' }] : [],
  };
}
