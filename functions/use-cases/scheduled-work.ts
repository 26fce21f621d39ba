import type { ScheduledWork } from '../domain/scheduled-work.ts';
import type { Deps } from './deps.ts';
import { type ExpiryOutcome, expireGrant, type ReminderOutcome, remindGrant } from './grants.ts';
import { type LapseOutcome, lapseInstruction } from './instructions.ts';

/** How long an invocation that came a little early waits for its moment rather than failing. */
export const EARLY_WAIT_LIMIT_MS = 5_000;

export class EarlyInvocationError extends Error {
  constructor() {
    super('Invoked before the work is due; the Scheduler retries.');
    this.name = 'EarlyInvocationError';
  }
}

/** What the invocation may spend on waiting: its time left, and how to wait (a fake clock's in tests). */
export interface Invocation {
  remainingMs?: (() => number) | undefined;
  wait?: ((ms: number) => Promise<void>) | undefined;
}

export type WorkOutcome =
  | { kind: 'expiry'; outcome: ExpiryOutcome; lateByMs?: number | undefined }
  | { kind: 'reminder'; outcome: ReminderOutcome }
  | { kind: 'lapse'; outcome: LapseOutcome };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits out an invocation that came a little early (Scheduler's `at()` takes whole seconds and
 * its clock may run ahead), or fails it so that the Scheduler retries it later.
 */
async function waitUntil(deps: Pick<Deps, 'clock'>, at: string, invocation: Invocation): Promise<void> {
  const waitMs = Date.parse(at) - deps.clock.now().getTime();
  const remaining = invocation.remainingMs?.() ?? EARLY_WAIT_LIMIT_MS * 2;
  if (waitMs > EARLY_WAIT_LIMIT_MS || waitMs > remaining - 1000) throw new EarlyInvocationError();
  await (invocation.wait ?? sleep)(Math.max(0, waitMs) + 5);
}

/**
 * Runs `step`; when it was not due yet at a moment `dueAt` names, waits for that moment once and
 * runs it again. Without such a moment (a stale schedule, or nothing to do) the first answer stands.
 */
async function onTime<R>(
  deps: Pick<Deps, 'clock'>,
  invocation: Invocation,
  step: () => Promise<R>,
  dueAt: (result: R) => string | null,
): Promise<R> {
  const first = await step();
  const at = dueAt(first);
  if (at === null) return first;
  await waitUntil(deps, at, invocation);
  return step();
}

/**
 * Does what a one-time schedule asks, once it is due: ends a grant at its deadline, reminds the
 * contacts before it, lapses an unconfirmed instruction. Idempotent: a late, duplicate or stale
 * invocation changes nothing wrongly; an early one waits or fails so that it is retried.
 */
export async function runScheduledWork(
  deps: Deps,
  work: ScheduledWork,
  invocation: Invocation = {},
): Promise<WorkOutcome> {
  // Only the schedule made for the grant's current deadline waits for it: an older one is stale.
  const current = (version: number) => work.kind !== 'lapse' && work.version === version;
  switch (work.kind) {
    case 'expiry': {
      const { outcome, lateByMs } = await onTime(
        deps,
        invocation,
        () => expireGrant(deps, work.tenantId, work.grantId),
        (r) => (r.outcome === 'not-due' && r.grant && current(r.grant.version) ? r.grant.expiresAt : null),
      );
      return { kind: work.kind, outcome, lateByMs };
    }
    case 'reminder': {
      const { outcome } = await onTime(
        deps,
        invocation,
        () => remindGrant(deps, work.tenantId, work.grantId),
        (r) =>
          r.outcome === 'not-due' && r.grant?.remindAt && current(r.grant.version) ? r.grant.remindAt : null,
      );
      return { kind: work.kind, outcome };
    }
    case 'lapse': {
      const outcome = await onTime(
        deps,
        invocation,
        () => lapseInstruction(deps, work.tenantId, work.instructionId),
        (r) => (r === 'not-due' ? (work.confirmBy ?? null) : null),
      );
      // Still not due after the wait: only a retry later can lapse it.
      if (outcome === 'not-due') throw new EarlyInvocationError();
      return { kind: work.kind, outcome };
    }
    default:
      return work satisfies never;
  }
}
