import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { clientConfig } from './aws-clients.ts';

/**
 * Scheduler calls sit on the request path of create/extend/revoke: fail fast, the sweep backs
 * them up. (Its own module, so functions that never schedule do not load the client.)
 */
export function schedulerClient(): SchedulerClient {
  return new SchedulerClient(clientConfig({ maxAttempts: 2, requestTimeout: 1500 }));
}
