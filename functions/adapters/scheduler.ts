import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { GrantScheduler, ScheduledExpiry } from '../domain/ports.ts';
import type { ScheduledWorkPayload } from './expiry-event.ts';

export interface SchedulerSettings {
  groupName: string;
  expiryFunctionArn: string;
  roleArn: string;
  deadLetterQueueArn: string;
  maxRetries: number;
  maxEventAgeSeconds: number;
}

/** The deterministic schedule name of a grant. */
export const scheduleName = (grantId: string) => `grant-${grantId}`;
/** The deterministic name of a grant's reminder schedule (under the same `grant-` prefix, so one IAM pattern covers both). */
export const reminderScheduleName = (grantId: string) => `grant-${grantId}-reminder`;

/** The deterministic name of an instruction's lapse schedule. */
export const lapseScheduleName = (instructionId: string) => `instruction-${instructionId}`;

type Kind = 'expiry' | 'reminder';

/**
 * `at()` takes whole seconds: round down, so the schedule fires up to a second before the
 * millisecond deadline and the expiry function waits out the rest, ending access on the dot
 * instead of up to a second late.
 */
export function atExpression(expiresAt: string): string {
  const ms = Date.parse(expiresAt);
  const seconds = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
  return `at(${seconds})`;
}

/** One EventBridge Scheduler one-time schedule per grant, invoking the expiry function. */
export class EventBridgeGrantScheduler implements GrantScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly settings: SchedulerSettings,
  ) {}

  /** The expiry function with the work to do, retried and dead-lettered: every schedule's target. */
  private target(work: ScheduledWorkPayload): CreateScheduleCommandInput['Target'] {
    return {
      Arn: this.settings.expiryFunctionArn,
      RoleArn: this.settings.roleArn,
      Input: JSON.stringify(work),
      RetryPolicy: {
        MaximumRetryAttempts: this.settings.maxRetries,
        MaximumEventAgeInSeconds: this.settings.maxEventAgeSeconds,
      },
      DeadLetterConfig: { Arn: this.settings.deadLetterQueueArn },
    };
  }

  private input(expiry: ScheduledExpiry, kind: Kind = 'expiry'): CreateScheduleCommandInput {
    const { tenantId, grantId, version, expiresAt } = expiry;
    const remindAt = kind === 'reminder' ? expiry.remindAt : null;
    const work: ScheduledWorkPayload = remindAt
      ? { kind: 'reminder', tenantId, grantId, version, remindAt }
      : { kind: 'expiry', tenantId, grantId, version, expiresAt };
    const reminder = work.kind === 'reminder';
    return {
      Name: reminder ? reminderScheduleName(grantId) : scheduleName(grantId),
      GroupName: this.settings.groupName,
      ScheduleExpression: atExpression(work.kind === 'reminder' ? work.remindAt : work.expiresAt),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Description: reminder
        ? `Reminds the contacts of tenant ${expiry.tenantId} that grant ${expiry.grantId} ends soon`
        : `Ends support access grant ${expiry.grantId} of tenant ${expiry.tenantId}`,
      Target: this.target(work),
      // Deterministic: a retried create of the same grant version is the same request.
      ClientToken: `${expiry.grantId}-v${expiry.version}${reminder ? '-r' : ''}`,
    };
  }

  /** The expiry schedule, and the reminder's when one is pending. */
  async schedule(expiry: ScheduledExpiry): Promise<void> {
    await Promise.all([
      this.put(expiry, 'expiry', 'create'),
      expiry.remindAt ? this.put(expiry, 'reminder', 'create') : undefined,
    ]);
  }

  async reschedule(expiry: ScheduledExpiry): Promise<void> {
    await Promise.all([
      this.put(expiry, 'expiry', 'update'),
      expiry.remindAt
        ? this.put(expiry, 'reminder', 'update')
        : this.delete(reminderScheduleName(expiry.grantId)),
    ]);
  }

  async unschedule(grant: { tenantId: string; grantId: string }): Promise<void> {
    await Promise.all([
      this.delete(scheduleName(grant.grantId)),
      this.delete(reminderScheduleName(grant.grantId)),
    ]);
  }

  async scheduleLapse(instruction: {
    tenantId: string;
    instructionId: string;
    confirmBy: string;
  }): Promise<void> {
    const work: ScheduledWorkPayload = {
      kind: 'lapse',
      tenantId: instruction.tenantId,
      instructionId: instruction.instructionId,
      confirmBy: instruction.confirmBy,
    };
    const input: CreateScheduleCommandInput = {
      Name: lapseScheduleName(instruction.instructionId),
      GroupName: this.settings.groupName,
      // Rounded up: an instruction lapses at its confirmBy, never before.
      ScheduleExpression: atExpression(
        new Date(Math.ceil(Date.parse(instruction.confirmBy) / 1000) * 1000).toISOString(),
      ),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Description: `Lapses instruction ${instruction.instructionId} of tenant ${instruction.tenantId} if still unconfirmed`,
      Target: this.target(work),
      ClientToken: `${instruction.instructionId}-lapse`,
    };
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
  }

  async unscheduleLapse(instruction: { tenantId: string; instructionId: string }): Promise<void> {
    await this.delete(lapseScheduleName(instruction.instructionId));
  }

  /**
   * Creates or updates the schedule, as `first` says; where the schedule is not as that expects,
   * does the other: already there (a retry, or a replay), it is made to say what it must; never
   * created (a failed create earlier, or a reminder the old deadline had none of), it is created.
   */
  private async put(expiry: ScheduledExpiry, kind: Kind, first: 'create' | 'update'): Promise<void> {
    const input = this.input(expiry, kind);
    const create = () => this.client.send(new CreateScheduleCommand(input));
    const update = () => this.client.send(new UpdateScheduleCommand(input));
    try {
      await (first === 'create' ? create() : update());
    } catch (error) {
      if (!(error instanceof (first === 'create' ? ConflictException : ResourceNotFoundException)))
        throw error;
      await (first === 'create' ? update() : create());
    }
  }

  private async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.settings.groupName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
