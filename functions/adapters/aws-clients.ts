import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
      connectionTimeout: millisecondsFromEnv('SDK_CONNECTION_TIMEOUT_MS') ?? 1000,
      requestTimeout: millisecondsFromEnv('SDK_REQUEST_TIMEOUT_MS') ?? requestTimeout,
      throwOnRequestTimeout: true,
    }),
  };
}

/**
 * `SDK_CONNECTION_TIMEOUT_MS` and `SDK_REQUEST_TIMEOUT_MS` replace every client's timeouts. The
 * local runtime sets them high: DynamoDB Local on a small machine answers in seconds under a
 * burst that DynamoDB answers in milliseconds.
 */
function millisecondsFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) {
    throw new Error(`Invalid configuration: ${name} must be a whole number of milliseconds, got "${raw}"`);
  }
  return Number(raw);
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
