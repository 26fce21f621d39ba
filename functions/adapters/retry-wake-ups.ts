import { ConflictException, CreateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import type { Clock } from '../domain/clock.ts';
import type { RetryWakeUps } from '../domain/retry-wake-ups.ts';
import { atExpression } from './scheduler.ts';

export interface RetryWakeUpSettings {
  groupName: string;
  /** The retry driver. */
  functionArn: string;
  /** The role the Scheduler invokes it with. */
  roleArn: string;
}

/** Wake-ups asked for within one such slot share one schedule: a burst of failures makes one. */
export const WAKE_SLOT_MS = 2_000;
/** The name prefix of every wake-up schedule (its IAM grant names it). */
export const WAKE_SCHEDULE_PREFIX = 'webhook-retries-';

/** The end of the slot `at` falls in: strictly after `at`, so a look never plans itself again. */
export const wakeSlot = (at: Date) =>
  new Date(Math.floor(at.getTime() / WAKE_SLOT_MS) * WAKE_SLOT_MS + WAKE_SLOT_MS);

/** `webhook-retries-20261201T100005Z`: one name per slot, so a second ask for it is a conflict. */
export const wakeScheduleName = (slot: Date) =>
  `${WAKE_SCHEDULE_PREFIX}${slot.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;

/** Marks of the slots planned, shared by every sender: one Scheduler call per slot, not one per Lambda instance. */
export interface WakeUpSlots {
  /** The slot's lease for asking the Scheduler; false while another sender holds it or once its schedule is made. */
  claim(slot: Date, now: Date): Promise<boolean>;
  /** Its schedule is made: no sender asks for it again. */
  made(slot: Date, now: Date): Promise<void>;
  /** Gives the lease back at once (its schedule could not be made): the next ask tries again. */
  release(slot: Date): Promise<void>;
}

/**
 * Wake-ups as EventBridge Scheduler one-time schedules, one per slot of WAKE_SLOT_MS, invoking
 * the retry driver at the slot's end and deleted once fired. A failed invocation is retried for
 * a minute at most: by then the per-minute look has come, and the deliveries wait in the table,
 * not in the schedule (no dead-letter queue: nothing is lost with it).
 */
export class ScheduledRetryWakeUps implements RetryWakeUps {
  /** Slots this instance has planned and that have not passed: asked again, no call. */
  private readonly planned = new Set<number>();

  constructor(
    private readonly client: SchedulerClient,
    private readonly settings: RetryWakeUpSettings,
    private readonly clock: Clock,
    private readonly slots: WakeUpSlots,
  ) {}

  async wakeAt(at: Date): Promise<void> {
    const now = this.clock.now();
    // A moment already past wakes the next slot: a slot that has fired may be planned again.
    const slot = wakeSlot(at > now ? at : now);
    for (const planned of this.planned) if (planned <= now.getTime()) this.planned.delete(planned);
    if (this.planned.has(slot.getTime())) return;
    // Held by another sender (or made): not remembered here, so if that sender fails to make it,
    // the next ask takes the slot over.
    if (!(await this.slots.claim(slot, now))) return;
    const name = wakeScheduleName(slot);
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: this.settings.groupName,
          ScheduleExpression: atExpression(slot.toISOString()),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          State: 'ENABLED',
          Description: 'One look of the webhook retry driver at the deliveries due',
          Target: {
            Arn: this.settings.functionArn,
            RoleArn: this.settings.roleArn,
            Input: JSON.stringify({ wake: slot.toISOString() }),
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 60 },
          },
          ClientToken: name,
        }),
      );
    } catch (error) {
      // Made already (a sender whose lease lapsed, or an earlier try that timed out): the same wake-up.
      if (!(error instanceof ConflictException)) {
        await this.slots.release(slot).catch(() => {});
        throw error;
      }
    }
    this.planned.add(slot.getTime());
    // Unrecorded, a sender may ask again once the lease lapses: the Scheduler answers it with a
    // conflict, the same wake-up.
    await this.slots.made(slot, now).catch(() => {});
  }
}
