import type { Log, SendQuota } from '../domain/ports.ts';

/**
 * Paces the notifier's sends to the mail account's quota, so a burst (a thousand grants ending
 * together) goes out at the rate the account allows instead of meeting its refusals.
 *
 * - The stated rate and the day's allowance are read from the provider once per cold start and
 *   again every `refreshMs`; sends are spaced 1/rate apart, in one queue shared by every send of
 *   this instance.
 * - Other senders on the same account (another instance reading another stream shard) make the
 *   provider refuse some sends anyway: each refusal halves the share of the rate used here and
 *   each accepted send wins a little back (additive increase, multiplicative decrease).
 * - While the day's allowance is used up, a caller waits — re-reading the quota now and then, as
 *   it may be raised — and is told `daily` once its deadline comes: mail is held back, never
 *   sent over the quota or given up.
 */
export type Slot = 'send' | 'rate' | 'daily';

export interface PacerOptions {
  /** The account's quota as the provider states it; absent: paced by refusals alone. */
  quota?: (() => Promise<SendQuota>) | undefined;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  log?: Log | undefined;
  refreshMs?: number;
  /** How often the quota is read again while the day's allowance is used up. */
  dailyRecheckMs?: number;
}

/** The least share of the stated rate the pacer falls back to, however often it is refused. */
const MIN_SHARE = 1 / 32;
/** Share won back per accepted send. */
const SHARE_STEP = 1 / 20;
/** Without a stated rate, a refusal holds the next send back this long. */
const REFUSED_BACKOFF_MS = 1000;

export class SendPacer {
  private stated: SendQuota | null = null;
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | null = null;
  /** Sends since the quota was read (the provider's count lags ours). */
  private sentSinceRead = 0;
  private next = 0;
  private share = 1;
  private dailyUsedUp = false;

  constructor(private readonly options: PacerOptions) {}

  /**
   * Waits for this send's turn. `rate`: its turn lies past `deadline`; `daily`: the day's
   * allowance stayed used up until `deadline`. Either way it returns at `deadline`, not before.
   */
  async slot(deadline: number): Promise<Slot> {
    const recheckMs = this.options.dailyRecheckMs ?? 15_000;
    for (;;) {
      // While the day is used up, the quota is read again every `recheckMs`: it may be raised.
      if (this.dailyUsedUp && this.options.now() - this.readAt >= recheckMs)
        this.readAt = Number.NEGATIVE_INFINITY;
      await this.refresh();
      const now = this.options.now();
      if (this.dailyUsedUp) {
        const recheckAt = this.options.quota ? this.readAt + recheckMs : now + recheckMs;
        if (recheckAt >= deadline) {
          if (deadline > now) await this.options.sleep(deadline - now);
          return 'daily';
        }
        await this.options.sleep(Math.max(0, recheckAt - now));
        // Without a stated quota, only a send can tell: try one.
        if (!this.options.quota) this.dailyUsedUp = false;
        continue;
      }
      const at = Math.max(now, this.next);
      if (at > deadline) {
        // Held back either way, the caller lasts its budget: a redelivery never comes in a hot loop.
        if (deadline > now) await this.options.sleep(deadline - now);
        return 'rate';
      }
      this.next = at + this.interval();
      if (at > now) await this.options.sleep(at - now);
      return 'send';
    }
  }

  /** The provider accepted a send. */
  sent(): void {
    this.sentSinceRead++;
    this.share = Math.min(1, this.share + SHARE_STEP);
    const daily = this.stated?.max24HourSend;
    if (daily != null && (this.stated?.sentLast24Hours ?? 0) + this.sentSinceRead >= daily)
      this.dailyUsedUp = true;
  }

  /** The provider refused a send for its quota. */
  refused(quota: 'rate' | 'daily'): void {
    if (quota === 'daily') {
      this.dailyUsedUp = true;
      return;
    }
    this.share = Math.max(MIN_SHARE, this.share / 2);
    const rate = this.stated?.maxSendRate;
    this.next = Math.max(this.next, this.options.now() + (rate ? this.interval() : REFUSED_BACKOFF_MS));
  }

  private interval(): number {
    const rate = this.stated?.maxSendRate;
    return rate ? 1000 / (rate * this.share) : 0;
  }

  private async refresh(): Promise<void> {
    if (!this.options.quota) return;
    if (this.options.now() - this.readAt < (this.options.refreshMs ?? 300_000)) return;
    this.reading ??= this.read(this.options.quota).finally(() => {
      this.reading = null;
    });
    await this.reading;
  }

  private async read(quota: () => Promise<SendQuota>): Promise<void> {
    try {
      const stated = await quota();
      this.stated = stated;
      this.sentSinceRead = 0;
      this.dailyUsedUp = stated.max24HourSend !== null && stated.sentLast24Hours >= stated.max24HourSend;
    } catch (error) {
      // Sent unpaced until the next read; refusals still slow it down.
      this.options.log?.warn('Could not read the sending quota', { error: (error as Error).name });
    }
    this.readAt = this.options.now();
  }
}
