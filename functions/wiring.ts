import { Logger } from '@aws-lambda-powertools/logger';
import { dynamoDocumentClient, schedulerClient } from './adapters/aws-clients.ts';
import { DynamoGrantStore } from './adapters/dynamodb/store.ts';
import { EventBridgeGrantScheduler } from './adapters/scheduler.ts';
import { grantPolicy, schedulerConfig, tableConfig } from './config.ts';
import { systemClock } from './domain/clock.ts';
import { ulidGenerator } from './domain/ids.ts';
import type { GrantScheduler, Log } from './domain/ports.ts';
import type { Deps } from './use-cases/deps.ts';

/** One logger per process; it never logs tokens, whole events, phone numbers or email bodies. */
export const logger = new Logger({ serviceName: 'support-access' });

let deps: Deps | undefined;
let store: DynamoGrantStore | undefined;
let scheduler: GrantScheduler | undefined;

export const log: Log = {
  info: (message, extra = {}) => logger.info(message, extra),
  warn: (message, extra = {}) => logger.warn(message, extra),
  error: (message, extra = {}) => logger.error(message, extra),
};

export function appStore(): DynamoGrantStore {
  store ??= new DynamoGrantStore(dynamoDocumentClient(), tableConfig().TABLE_NAME);
  return store;
}

/** The Scheduler client is made on first use: functions that never schedule need no config for it. */
function appScheduler(): GrantScheduler {
  if (!scheduler) {
    const config = schedulerConfig();
    scheduler = new EventBridgeGrantScheduler(schedulerClient(), {
      groupName: config.SCHEDULE_GROUP,
      expiryFunctionArn: config.EXPIRY_FUNCTION_ARN,
      roleArn: config.SCHEDULER_ROLE_ARN,
      deadLetterQueueArn: config.SCHEDULE_DLQ_ARN,
      maxRetries: config.SCHEDULE_MAX_RETRIES,
      maxEventAgeSeconds: config.SCHEDULE_MAX_EVENT_AGE_SECONDS,
    });
  }
  return scheduler;
}

const lazyScheduler: GrantScheduler = {
  schedule: (expiry) => appScheduler().schedule(expiry),
  reschedule: (expiry) => appScheduler().reschedule(expiry),
  unschedule: (grant) => appScheduler().unschedule(grant),
};

/**
 * Plain constructor wiring, once per cold start: SDK clients, adapters and use-case
 * dependencies. Built on first use so that a function that needs no table (health) does not
 * need its configuration.
 */
export function appDeps(): Deps {
  deps ??= {
    store: appStore(),
    scheduler: lazyScheduler,
    clock: systemClock,
    ids: ulidGenerator(),
    policy: grantPolicy(),
    log,
  };
  return deps;
}
