import type { RetryWakeUps } from '../../../functions/domain/retry-wake-ups.ts';

/** Records the wake-ups asked for; `failWith` makes every ask fail. */
export class FakeRetryWakeUps implements RetryWakeUps {
  readonly asked: Date[] = [];
  failWith: Error | null = null;

  async wakeAt(at: Date): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.asked.push(at);
  }

  /** The wake-ups asked for, as ISO times, and forgets them. */
  take(): string[] {
    return this.asked.splice(0).map((d) => d.toISOString());
  }
}
