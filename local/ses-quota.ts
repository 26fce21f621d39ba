/**
 * The sending quotas SES enforces per account, for the local SES emulator: a maximum send rate
 * (messages per second; a short burst up to one second's worth is accepted, as SES does) and a
 * maximum over any 24 hours. Every recipient of a mail counts as one message, as in SES. `null`
 * means no limit.
 */
export interface SesLimits {
  maxSendRate: number | null;
  max24HourSend: number | null;
}

export type QuotaVerdict = { ok: true } | { ok: false; message: SesThrottleMessage };

export type SesThrottleMessage = 'Maximum sending rate exceeded.' | 'Daily message quota exceeded.';

const DAY_MS = 86_400_000;

export class SesQuota {
  private limits: SesLimits;
  /** Whole messages the rate allows right now (a token bucket holding one second's worth). */
  private tokens: number;
  private refilledAt: number;
  /** Accepted sends of the last 24 hours: [time, messages]. */
  private readonly sent: [number, number][] = [];

  constructor(
    limits: SesLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...limits };
    this.tokens = bucketSize(limits.maxSendRate);
    this.refilledAt = now();
  }

  /** Takes `messages` from the quotas, or says which quota refuses them (then nothing is taken). */
  take(messages: number): QuotaVerdict {
    const now = this.now();
    const { maxSendRate, max24HourSend } = this.limits;
    if (max24HourSend !== null && this.sentLast24Hours(now) + messages > max24HourSend)
      return { ok: false, message: 'Daily message quota exceeded.' };
    if (maxSendRate !== null) {
      this.refill(now, maxSendRate);
      if (this.tokens < messages) return { ok: false, message: 'Maximum sending rate exceeded.' };
      this.tokens -= messages;
    }
    this.sent.push([now, messages]);
    return { ok: true };
  }

  /** What `GetSendQuota` answers (SES's -1: no limit). */
  report(): { Max24HourSend: number; MaxSendRate: number; SentLast24Hours: number } {
    return {
      Max24HourSend: this.limits.max24HourSend ?? -1,
      MaxSendRate: this.limits.maxSendRate ?? -1,
      SentLast24Hours: this.sentLast24Hours(this.now()),
    };
  }

  /** Changes the limits at run time (as AWS raises an account's quota): the sends so far still count. */
  set(limits: Partial<SesLimits>): void {
    const rateChanged = limits.maxSendRate !== undefined && limits.maxSendRate !== this.limits.maxSendRate;
    this.limits = { ...this.limits, ...limits };
    if (rateChanged) {
      this.tokens = bucketSize(this.limits.maxSendRate);
      this.refilledAt = this.now();
    }
  }

  private refill(now: number, rate: number) {
    this.tokens = Math.min(bucketSize(rate), this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
  }

  private sentLast24Hours(now: number): number {
    while (this.sent.length > 0 && (this.sent[0]?.[0] ?? now) <= now - DAY_MS) this.sent.shift();
    return this.sent.reduce((sum, [, messages]) => sum + messages, 0);
  }
}

/** One second's worth of sends, and at least one mail. */
const bucketSize = (rate: number | null) => (rate === null ? 0 : Math.max(1, rate));

/**
 * A limit from the environment: unset or empty is no limit; anything else must be a positive
 * number (the rate may be fractional, like SES's own).
 */
export function limitFromEnv(name: string, raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(value > 0))
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}
