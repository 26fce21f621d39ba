import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients.ts';
import { createTableInput } from '../../functions/adapters/dynamodb/table-definition.ts';

export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** An AWS client's settings for a local engine or emulator at `endpoint`: one attempt unless told. */
export function localClientConfig(endpoint: string, maxAttempts = 1) {
  return { endpoint, region: 'eu-central-1', credentials: localCredentials, maxAttempts };
}

export function localDynamoClient(endpoint = inject('dynamoEndpoint')): DynamoDBClient {
  return new DynamoDBClient(localClientConfig(endpoint, 3));
}

/** A fresh table with the production definition and a name no other test uses. */
export async function freshTable(client = localDynamoClient()) {
  const tableName = `grants-test-${randomUUID()}`;
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  return { client, doc: dynamoDocumentClient(client), tableName };
}
