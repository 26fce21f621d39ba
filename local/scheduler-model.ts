/**
 * The Scheduler emulator's model: what it stores of a schedule and a group, the errors it answers
 * with as the service does, `at()` expressions and the per-account call rate.
 */
export interface Target {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number };
  DeadLetterConfig?: { Arn?: string };
}

export interface StoredSchedule {
  Arn: string;
  Name: string;
  GroupName: string;
  State: 'ENABLED' | 'DISABLED';
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  FlexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  Target: Target;
  Description?: string;
  ActionAfterCompletion?: 'NONE' | 'DELETE';
  StartDate?: number;
  EndDate?: number;
  KmsKeyArn?: string;
  ClientToken?: string;
  CreationDate: number;
  LastModificationDate: number;
  /** Emulator bookkeeping: when it is due (epoch ms), failed attempts so far, next try. */
  dueAt: number | null;
  attempts: number;
  nextAttemptAt: number;
  completed: boolean;
}

export interface Group {
  Name: string;
  Arn: string;
  State: 'ACTIVE';
  CreationDate: number;
  LastModificationDate: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
export const epochSeconds = (ms = Date.now()) => Math.floor(ms / 1000);

/** The due time of an `at()` expression, or null for rate/cron (accepted, never fired here). */
export function dueTime(expression: string, timezone: string | undefined): number | null {
  const at = AT.exec(expression);
  if (!at) {
    if (/^(rate|cron)\(.+\)$/.test(expression)) return null;
    throw new ApiError(400, 'ValidationException', `Invalid Schedule Expression ${expression}.`);
  }
  if (timezone && !['UTC', 'Etc/UTC', 'GMT'].includes(timezone)) {
    throw new ApiError(
      400,
      'ValidationException',
      `This emulator supports the UTC time zone only, not ${timezone}.`,
    );
  }
  const ms = Date.parse(`${at[1]}Z`);
  if (Number.isNaN(ms))
    throw new ApiError(400, 'ValidationException', `Invalid Schedule Expression ${expression}.`);
  return ms;
}

/**
 * The per-account rate of the schedule calls (`/schedules/{name}`, any method): a token bucket
 * holding one second's worth. Returns a check that is true when a request is over the rate.
 */
export function scheduleCallLimit(maxTps: number, now: () => number = Date.now): (url: URL) => boolean {
  const size = Math.max(1, maxTps);
  let tokens = size;
  let refilledAt = now();
  return (url) => {
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'schedules' || parts.length !== 2) return false;
    const t = now();
    tokens = Math.min(size, tokens + ((t - refilledAt) / 1000) * maxTps);
    refilledAt = t;
    if (tokens < 1) return true;
    tokens -= 1;
    return false;
  };
}
