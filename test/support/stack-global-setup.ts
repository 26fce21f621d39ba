import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type SpawnedStack, spawnStack } from '../../local/spawn-stack.ts';

/** The stack's endpoints the e2e tests reach, as `inject(name)`. */
const ENDPOINTS = [
  'apiUrl',
  'sesUrl',
  'schedulerUrl',
  'eventsUrl',
  'dynamodbUrl',
  'oidcUrl',
] as const satisfies readonly (keyof SpawnedStack)[];

declare module 'vitest' {
  export interface ProvidedContext extends Pick<SpawnedStack, (typeof ENDPOINTS)[number]> {
    dataDir: string;
  }
}

/** One local stack for the e2e run, on free ports with a fresh data folder. */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'support-access-e2e-'));
  // Every AWS call each function makes, for the IAM test (test/e2e/iam.test.ts).
  const stack = await spawnStack(dataDir, 'fresh', {
    AWS_CALL_LOG: join(dataDir, 'aws-calls.jsonl'),
  });
  for (const name of ENDPOINTS) project.provide(name, stack[name]);
  project.provide('dataDir', dataDir);
  return async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
