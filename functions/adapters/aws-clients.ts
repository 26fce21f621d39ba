import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { sdkConfig } from '../wiring/config.ts';

/**
 * The one place SDK clients are made. Endpoints come from the SDK's standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables (that is how local mode reaches the emulators), so
 * production code has no local branch. A hung connection fails the call instead of holding the
 * function until its own timeout (the SDK only warns unless told to throw).
 */
export function clientConfig({ maxAttempts = 3, requestTimeout = 2000 } = {}) {
  const timeouts = sdkConfig();
  return {
    maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: timeouts.SDK_CONNECTION_TIMEOUT_MS ?? 1000,
      requestTimeout: timeouts.SDK_REQUEST_TIMEOUT_MS ?? requestTimeout,
      throwOnRequestTimeout: true,
    }),
  };
}

export function dynamoClient(): DynamoDBClient {
  return new DynamoDBClient(clientConfig());
}

export function sesClient(): SESClient {
  return new SESClient(clientConfig({ requestTimeout: 5000 }));
}

export function dynamoDocumentClient(client: DynamoDBClient = dynamoClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
