import { schedulerClient } from '../adapters/aws-clients-scheduler.ts';
import { EventBridgeGrantScheduler } from '../adapters/scheduler.ts';
import type { SchedulingDeps } from '../use-cases/deps.ts';
import { appDeps } from './app.ts';
import { schedulerConfig } from './config.ts';

let deps: SchedulingDeps | undefined;

/** Wiring for the functions whose entry needs schedules (`needs.schedules`). */
export function schedulingDeps(): SchedulingDeps {
  if (!deps) {
    const config = schedulerConfig();
    deps = {
      ...appDeps(),
      scheduler: new EventBridgeGrantScheduler(schedulerClient(), {
        groupName: config.SCHEDULE_GROUP,
        expiryFunctionArn: config.EXPIRY_FUNCTION_ARN,
        roleArn: config.SCHEDULER_ROLE_ARN,
        deadLetterQueueArn: config.SCHEDULE_DLQ_ARN,
        maxRetries: config.SCHEDULE_MAX_RETRIES,
        maxEventAgeSeconds: config.SCHEDULE_MAX_EVENT_AGE_SECONDS,
      }),
    };
  }
  return deps;
}
