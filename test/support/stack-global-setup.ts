import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../local/ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    sesUrl: string;
    schedulerUrl: string;
    dataDir: string;
  }
}

const ROOT = resolve(import.meta.dirname, '../..');

/** Runs `npm start`'s entry on free ports with a fresh data folder, as a user would run it. */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'support-access-e2e-'));
  const ports = {
    PORT: await freePort(),
    DYNAMODB_PORT: await freePort(),
    SES_PORT: await freePort(),
    SCHEDULER_PORT: await freePort(),
  };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      DATA_DIR: dataDir,
      GRANT_MIN_SECONDS: '1',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-8000);
  });
  child.stderr?.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-8000);
  });
  const apiUrl = `http://127.0.0.1:${ports.PORT}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the local stack exited during start:\n${output}`);
    const ok = await fetch(`${apiUrl}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the local stack did not become healthy:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  project.provide('apiUrl', apiUrl);
  project.provide('sesUrl', `http://127.0.0.1:${ports.SES_PORT}`);
  project.provide('schedulerUrl', `http://127.0.0.1:${ports.SCHEDULER_PORT}`);
  project.provide('dataDir', dataDir);
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true });
  };
}
