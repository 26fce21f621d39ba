import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { spawnStack } from '../../local/spawn-stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    sesUrl: string;
    schedulerUrl: string;
    eventsUrl: string;
    dynamodbUrl: string;
    oidcUrl: string;
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
  project.provide('apiUrl', stack.apiUrl);
  project.provide('sesUrl', stack.sesUrl);
  project.provide('schedulerUrl', stack.schedulerUrl);
  project.provide('eventsUrl', stack.eventsUrl);
  project.provide('dynamodbUrl', stack.dynamodbUrl);
  project.provide('oidcUrl', stack.oidcUrl);
  project.provide('dataDir', dataDir);
  return async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
