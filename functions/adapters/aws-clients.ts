import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * The one place SDK clients are made. Endpoints come from the SDK's standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables (that is how local mode reaches the emulators), so
 * production code has no local branch. A hung connection fails the call instead of holding the
 * function until its own timeout (the SDK only warns unless told to throw).
 */
export function clientConfig({ maxAttempts = 3, requestTimeout = 2000 } = {}) {
  return {
    maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 1000,
      requestTimeout,
      throwOnRequestTimeout: true,
    }),
  };
}

export function dynamoClient(): DynamoDBClient {
  return new DynamoDBClient(clientConfig());
}

/** Scheduler calls sit on the request path of create/extend/revoke: fail fast, the sweep backs them up. */
export function schedulerClient(): SchedulerClient {
  return new SchedulerClient(clientConfig({ maxAttempts: 2, requestTimeout: 1500 }));
}

export function sesClient(): SESClient {
  return new SESClient(clientConfig({ requestTimeout: 5000 }));
}

export function dynamoDocumentClient(client: DynamoDBClient = dynamoClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
