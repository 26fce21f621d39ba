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
import type { ExpiryEvent } from './expiry-event.ts';

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

  private input(expiry: ScheduledExpiry): CreateScheduleCommandInput {
    const event: ExpiryEvent = {
      tenantId: expiry.tenantId,
      grantId: expiry.grantId,
      version: expiry.version,
      expiresAt: expiry.expiresAt,
    };
    return {
      Name: scheduleName(expiry.grantId),
      GroupName: this.settings.groupName,
      ScheduleExpression: atExpression(expiry.expiresAt),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Description: `Ends support access grant ${expiry.grantId} of tenant ${expiry.tenantId}`,
      Target: {
        Arn: this.settings.expiryFunctionArn,
        RoleArn: this.settings.roleArn,
        Input: JSON.stringify(event),
        RetryPolicy: {
          MaximumRetryAttempts: this.settings.maxRetries,
          MaximumEventAgeInSeconds: this.settings.maxEventAgeSeconds,
        },
        DeadLetterConfig: { Arn: this.settings.deadLetterQueueArn },
      },
      // Deterministic: a retried create of the same grant version is the same request.
      ClientToken: `${expiry.grantId}-v${expiry.version}`,
    };
  }

  async schedule(expiry: ScheduledExpiry): Promise<void> {
    try {
      await this.client.send(new CreateScheduleCommand(this.input(expiry)));
    } catch (error) {
      // Already there (a retry, or a replay): make it say what it must.
      if (!(error instanceof ConflictException)) throw error;
      await this.client.send(new UpdateScheduleCommand(this.input(expiry)));
    }
  }

  async reschedule(expiry: ScheduledExpiry): Promise<void> {
    try {
      await this.client.send(new UpdateScheduleCommand(this.input(expiry)));
    } catch (error) {
      // Never created (a failed create earlier): create it now.
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await this.client.send(new CreateScheduleCommand(this.input(expiry)));
    }
  }

  async unschedule(grant: { tenantId: string; grantId: string }): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: scheduleName(grant.grantId), GroupName: this.settings.groupName }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
