import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDocumentClient } from './adapters/aws-clients.ts';
import { DynamoGrantStore } from './adapters/dynamodb/store.ts';
import { grantPolicy, tableConfig } from './config.ts';
import { systemClock } from './domain/clock.ts';
import { ulidGenerator } from './domain/ids.ts';
import type { GrantScheduler } from './domain/ports.ts';
import type { Deps } from './use-cases/deps.ts';

/** One logger per process; it never logs tokens, whole events, phone numbers or email bodies. */
export const logger = new Logger({ serviceName: 'support-access' });

let deps: Deps | undefined;

/** A scheduler that does nothing: stands in until the Scheduler adapter is wired. */
const noScheduler: GrantScheduler = {
  schedule: async () => {},
  reschedule: async () => {},
  unschedule: async () => {},
};

/**
 * Plain constructor wiring, once per cold start: SDK clients, adapters and use-case
 * dependencies. Built on first use so that a function that needs no table (health) does not
 * need its configuration.
 */
export function appDeps(): Deps {
  deps ??= {
    store: new DynamoGrantStore(dynamoDocumentClient(new DynamoDBClient({})), tableConfig().TABLE_NAME),
    scheduler: noScheduler,
    clock: systemClock,
    ids: ulidGenerator(),
    policy: grantPolicy(),
    log: {
      info: (message, extra = {}) => logger.info(message, extra),
      warn: (message, extra = {}) => logger.warn(message, extra),
      error: (message, extra = {}) => logger.error(message, extra),
    },
  };
  return deps;
}
