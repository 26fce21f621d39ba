import { GrantNotActiveError, ValidationError } from './errors.ts';
import { assertSingleLine, charLength } from './text.ts';

export type GrantStatus = 'active' | 'revoked' | 'expired';
export type EndReason = 'revoked' | 'expired' | 'contact-removed';

export interface GrantedBy {
  contactId: string;
  name: string;
  email: string;
}

/** A grant as the API shows it. */
export interface Grant {
  grantId: string;
  tenantId: string;
  status: GrantStatus;
  reason: string;
  ticket: string | null;
  grantedBy: GrantedBy;
  createdAt: string;
  expiresAt: string;
  endedAt: string | null;
  endedBy: string | null;
  endReason: EndReason | null;
}

/**
 * A grant as stored: what the API shows plus the optimistic-concurrency version and when its
 * "access ends soon" reminder is due (null: none pending — sent, ended, or the deadline was set
 * nearer than the reminder's lead).
 */
export interface StoredGrant extends Grant {
  version: number;
  remindAt: string | null;
}

export const SYSTEM_ACTOR = 'system';

export interface GrantPolicy {
  minSeconds: number;
  maxSeconds: number;
  /** How long before the deadline every contact is reminded; 0 turns reminders off. Default 1 day. */
  reminderBeforeSeconds?: number | undefined;
  /** How long a second contact has to confirm an account deletion. Default 3 days. */
  instructionConfirmSeconds?: number | undefined;
}

export const DEFAULT_REMINDER_BEFORE_SECONDS = 86_400;
export const DEFAULT_POLICY: GrantPolicy = {
  minSeconds: 300,
  maxSeconds: 10_540_800,
  reminderBeforeSeconds: DEFAULT_REMINDER_BEFORE_SECONDS,
};

/**
 * When the "access ends soon" reminder for a deadline set at `now` is due: the lead time before
 * it, rounded up to the second (schedules take whole seconds). None when reminders are off, or
 * when that moment is not clearly after `now` — at least a tenth of the lead (and a second)
 * later: a deadline about a lead away (the one-day grant with a one-day lead) would otherwise be
 * "reminded" the moment its own email said when it ends.
 */
export function reminderTime(expiresAt: string, now: Date, policy: GrantPolicy): string | null {
  const lead = policy.reminderBeforeSeconds ?? DEFAULT_REMINDER_BEFORE_SECONDS;
  if (lead <= 0) return null;
  const at = Math.ceil((Date.parse(expiresAt) - lead * 1000) / 1000) * 1000;
  const margin = Math.max(1000, lead * 100);
  return at >= now.getTime() + margin ? new Date(at).toISOString() : null;
}

export const REASON_MAX = 500;
export const TICKET_MAX = 100;

/**
 * Effective status: a grant stored as active whose deadline has passed is expired from that
 * millisecond on, whatever the expiry job has or has not done yet.
 */
export function isPastDeadline(grant: Pick<Grant, 'expiresAt'>, now: Date): boolean {
  return now.getTime() >= Date.parse(grant.expiresAt);
}

export function effectiveGrant<T extends Grant>(grant: T, now: Date): T {
  if (grant.status !== 'active' || !isPastDeadline(grant, now)) return grant;
  return {
    ...grant,
    status: 'expired',
    endedAt: grant.expiresAt,
    endedBy: SYSTEM_ACTOR,
    endReason: 'expired',
  };
}

export function isEffectivelyActive(grant: Grant, now: Date): boolean {
  return grant.status === 'active' && !isPastDeadline(grant, now);
}

/** Strips storage details so only the contract's fields leave the system. */
export function publicGrant(grant: Grant): Grant {
  return {
    grantId: grant.grantId,
    tenantId: grant.tenantId,
    status: grant.status,
    reason: grant.reason,
    ticket: grant.ticket,
    grantedBy: {
      contactId: grant.grantedBy.contactId,
      name: grant.grantedBy.name,
      email: grant.grantedBy.email,
    },
    createdAt: grant.createdAt,
    expiresAt: grant.expiresAt,
    endedAt: grant.endedAt,
    endedBy: grant.endedBy,
    endReason: grant.endReason,
  };
}

export interface DeadlineInput {
  expiresAt?: string | undefined;
  durationSeconds?: number | undefined;
}

/**
 * Resolves the requested deadline and checks it against the policy bounds, both inclusive,
 * measured from `now` (when the request was received).
 */
export function resolveDeadline(input: DeadlineInput, now: Date, policy: GrantPolicy): Date {
  const hasExpiresAt = input.expiresAt !== undefined;
  const hasDuration = input.durationSeconds !== undefined;
  if (hasExpiresAt === hasDuration) {
    throw new ValidationError('Give exactly one of expiresAt or durationSeconds.', [
      {
        path: hasExpiresAt ? 'durationSeconds' : 'expiresAt',
        message: 'Give exactly one of expiresAt or durationSeconds.',
      },
    ]);
  }
  let deadline: Date;
  let path: string;
  if (hasDuration) {
    path = 'durationSeconds';
    const seconds = input.durationSeconds as number;
    if (!Number.isSafeInteger(seconds)) {
      throw ValidationError.field(path, 'durationSeconds must be a whole number of seconds.');
    }
    deadline = new Date(now.getTime() + seconds * 1000);
  } else {
    path = 'expiresAt';
    const ms = Date.parse(input.expiresAt as string);
    if (Number.isNaN(ms)) throw ValidationError.field(path, 'expiresAt must be an ISO 8601 date-time.');
    deadline = new Date(ms);
  }
  const earliest = now.getTime() + policy.minSeconds * 1000;
  const latest = now.getTime() + policy.maxSeconds * 1000;
  if (Number.isNaN(deadline.getTime()) || deadline.getTime() < earliest || deadline.getTime() > latest) {
    throw ValidationError.field(
      path,
      `The deadline must lie between ${policy.minSeconds} seconds and ${policy.maxSeconds} seconds ` +
        `(${formatDuration(policy.maxSeconds)}) from now, bounds included.`,
    );
  }
  return deadline;
}

function formatDuration(seconds: number): string {
  const days = seconds / 86_400;
  if (Number.isInteger(days)) return `${days} days`;
  const hours = seconds / 3_600;
  if (Number.isInteger(hours)) return `${hours} hours`;
  return `${seconds} seconds`;
}

/** Trims and checks the grant's free text. */
export function normaliseGrantText(input: { reason: string; ticket?: string | null | undefined }): {
  reason: string;
  ticket: string | null;
} {
  const reason = input.reason.trim();
  assertSingleLine(reason, 'reason');
  if (charLength(reason) < 1 || charLength(reason) > REASON_MAX) {
    throw ValidationError.field('reason', `reason must be 1–${REASON_MAX} characters (after trimming).`);
  }
  let ticket: string | null = null;
  if (input.ticket !== undefined && input.ticket !== null) {
    ticket = input.ticket.trim();
    assertSingleLine(ticket, 'ticket');
    if (charLength(ticket) < 1 || charLength(ticket) > TICKET_MAX) {
      throw ValidationError.field(
        'ticket',
        `ticket must be 1–${TICKET_MAX} characters (after trimming), or null when there is none.`,
      );
    }
  }
  return { reason, ticket };
}

export interface Ending {
  status: 'revoked' | 'expired';
  endedAt: string;
  endedBy: string;
  endReason: EndReason;
}

/** An ended grant, its ending as precise as the one it was given (an expiry's reason is `expired`). */
export type EndedAs<E extends Ending> = Pick<E, 'status' | 'endedAt' | 'endedBy' | 'endReason'>;

/** The only transitions: active → revoked | expired. Terminal states are final. */
export function endGrant<E extends Ending>(grant: StoredGrant, ending: E): StoredGrant & EndedAs<E> {
  if (grant.status !== 'active') throw new GrantNotActiveError(grant.grantId);
  return { ...grant, ...ending, version: grant.version + 1, remindAt: null };
}

/** The new deadline gets its own reminder, if it lies far enough ahead of `now`. */
export function changeDeadline(
  grant: StoredGrant,
  expiresAt: Date,
  now: Date,
  policy: GrantPolicy,
): StoredGrant {
  if (!isEffectivelyActive(grant, now)) throw new GrantNotActiveError(grant.grantId);
  const deadline = expiresAt.toISOString();
  return {
    ...grant,
    expiresAt: deadline,
    version: grant.version + 1,
    remindAt: reminderTime(deadline, now, policy),
  };
}
