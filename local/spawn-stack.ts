import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from './ports.ts';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * The Node options of the local runtime's process (`npm start` names them too). Its main thread
 * serves every request and stream record in a burst; V8 would let its young generation grow to
 * 192 MB on a 24 GB machine, which a burst of 1 000 creates did, for no speed (the functions'
 * threads have their own limit, local/functions.ts).
 */
export const RUNTIME_NODE_OPTIONS = ['--max-semi-space-size=8'];

/** Runs the `npm start` entry as its own process (tests and benchmarks). */
export interface SpawnedStack {
  pid: number;
  apiUrl: string;
  sesUrl: string;
  schedulerUrl: string;
  eventsUrl: string;
  dynamodbUrl: string;
  oidcUrl: string;
  ports: Record<string, number>;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL to the stack and every process it started, as a power cut would. */
  crash(): Promise<void>;
}

export async function stackPorts() {
  return {
    PORT: await freePort(),
    DYNAMODB_PORT: await freePort(),
    SES_PORT: await freePort(),
    SCHEDULER_PORT: await freePort(),
    OIDC_PORT: await freePort(),
    EVENTS_PORT: await freePort(),
  };
}

/**
 * Runs the `npm start` entry as its own process, as a user would, and waits for /health. With
 * `'fresh'` it picks free ports itself, and picks again when one was taken between being found
 * free and being listened on (another process's connection may take it meanwhile).
 */
export async function spawnStack(
  dataDir: string,
  ports: Record<string, number> | 'fresh',
  extraEnv: Record<string, string> = {},
): Promise<SpawnedStack> {
  if (ports !== 'fresh') return spawnOn(dataDir, ports, extraEnv);
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOn(dataDir, await stackPorts(), extraEnv);
    } catch (error) {
      if (attempt >= 3 || !/EADDRINUSE|Address already in use/.test((error as Error).message)) throw error;
    }
  }
}

async function spawnOn(
  dataDir: string,
  ports: Record<string, number>,
  extraEnv: Record<string, string>,
): Promise<SpawnedStack> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...RUNTIME_NODE_OPTIONS, '--import', 'tsx', 'local/start.ts', '--stop-with-parent'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        DATA_DIR: dataDir,
        GRANT_MIN_SECONDS: '1',
        POWERTOOLS_LOG_LEVEL: 'WARN',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a crash can take down its children (Java, SES) too.
      detached: true,
    },
  );
  let output = '';
  const collect = (c: Buffer) => {
    output = (output + c.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
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
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    pid: child.pid as number,
    apiUrl,
    sesUrl: `http://127.0.0.1:${ports.SES_PORT}`,
    schedulerUrl: `http://127.0.0.1:${ports.SCHEDULER_PORT}`,
    eventsUrl: `http://127.0.0.1:${ports.EVENTS_PORT}`,
    dynamodbUrl: `http://127.0.0.1:${ports.DYNAMODB_PORT}`,
    oidcUrl: `http://127.0.0.1:${ports.OIDC_PORT}`,
    ports,
    output: () => output,
    crash: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {}
      await exited;
      // Give the kernel a moment to release the group's ports.
      await new Promise((r) => setTimeout(r, 500));
    },
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timeout);
      return code;
    },
  };
}
