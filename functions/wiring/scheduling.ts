import { schedulerClient } from '../adapters/aws-clients-scheduler.ts';
import { EventBridgeGrantScheduler } from '../adapters/scheduler.ts';
import type { Deps } from '../use-cases/deps.ts';
import { appDeps } from './app.ts';
import { schedulerConfig } from './config.ts';

let deps: Deps | undefined;

/** Wiring for the functions that create, move or delete schedules (see infra/permissions.ts). */
export function schedulingDeps(): Deps {
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
