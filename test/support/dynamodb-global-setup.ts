import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb.ts';
import { freePort } from '../../local/ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/** One in-memory DynamoDB Local for the run; each test file makes its own uniquely named table. */
export default async function setup(project: TestProject) {
  const db = await startDynamoDbLocal({ port: await freePort(), maxHeap: '512m' });
  project.provide('dynamoEndpoint', db.endpoint);
  return () => db.stop();
}
