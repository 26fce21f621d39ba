import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { clientConfig } from './aws-clients.ts';

/** Only the event publisher loads this client (its own module, like the Scheduler's). */
export function eventBridgeClient(): EventBridgeClient {
  return new EventBridgeClient(clientConfig({ maxAttempts: 3, requestTimeout: 3000 }));
}
