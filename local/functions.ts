import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build, stop } from 'esbuild';
import { BACKGROUND_FUNCTIONS } from '../functions/background.ts';
import { routeTable } from '../functions/http/routes.ts';
import { productionEsbuild } from '../infra/bundling.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** Every function: its name (route name or background name) and handler file. */
function entries(): Record<string, string> {
  return {
    ...Object.fromEntries(routeTable.map((r) => [r.name, r.entry])),
    ...Object.fromEntries(Object.entries(BACKGROUND_FUNCTIONS).map(([name, f]) => [name, f.entry])),
  };
}

/** Builds every function's production bundle with the settings the CDK app uses; returns name → file. */
export async function buildBundles(outDir: string): Promise<Record<string, string>> {
  const all = entries();
  await build({
    ...productionEsbuild,
    entryPoints: Object.fromEntries(Object.entries(all).map(([name, entry]) => [name, join(ROOT, entry)])),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  // esbuild keeps a service process for later builds; there are none.
  await stop();
  return Object.fromEntries(Object.keys(all).map((name) => [name, join(outDir, `${name}.mjs`)]));
}

/** `synthesizedEnvironments` in a child process: the CDK app's memory does not stay with the runtime. */
export function synthesizeInChild(
  context: Record<string, string>,
  local: Record<string, string | undefined>,
): Promise<Record<string, Record<string, string>>> {
  return new Promise((resolveEnvironments, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'local', 'synthesize.ts')], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolveEnvironments(JSON.parse(out));
      else
        reject(
          new Error(`Synthesizing the stack for the local functions failed: ${err.trim().slice(-1000)}`),
        );
    });
    child.stdin.end(JSON.stringify({ context, local }));
  });
}

let hostScript: Promise<URL> | undefined;
/**
 * The script that runs a function in its thread (`function-worker.ts`), as JavaScript: a thread
 * that loads TypeScript itself loads Node's type stripper too (a WebAssembly module: about 9 MB
 * more in every function's thread). Built once per process, on the first start of a function
 * (esbuild's synchronous API would keep a thread and a process of its own running for later calls).
 */
function functionHostScript(): Promise<URL> {
  hostScript ??= build({
    entryPoints: [join(ROOT, 'local', 'function-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'error',
  }).then(async ({ outputFiles: [output] }) => {
    await stop();
    if (!output) throw new Error('The function host script did not build');
    return new URL(`data:text/javascript,${encodeURIComponent(output.text)}`);
  });
  // A build that failed is tried again by the next start, not remembered.
  hostScript.catch(() => {
    hostScript = undefined;
  });
  return hostScript;
}

interface InvocationMessage {
  ready?: boolean;
  id?: number;
  result?: unknown;
  error?: Error;
  durationMs?: number;
}

export type Invoke = (
  event: unknown,
  options?: { timeoutMs?: number; requestId?: string },
) => Promise<unknown>;

export interface FunctionHost {
  /** Invokes the function by name, starting its worker on first use (a cold start). */
  invoker(name: string): Invoke;
  stop(): Promise<void>;
}

/**
 * Runs every function as Lambda does: its production bundle, in its own worker thread with its
 * own environment. `runtime` is what Lambda's runtime adds (region, credentials, endpoints).
 */
export function startFunctions(options: {
  bundles: Record<string, string>;
  environments: Record<string, Record<string, string>>;
  runtime: Record<string, string>;
  callLog?: string | undefined;
  /**
   * A file to which every invocation appends its report, as Lambda's `REPORT` log line: the
   * handler's own duration and the billed one (whole milliseconds, rounded up), one JSON line each.
   */
  reportLog?: string | undefined;
}): FunctionHost {
  const reports = options.reportLog ? createWriteStream(options.reportLog, { flags: 'a' }) : null;
  const workers = new Map<string, Promise<Worker>>();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const inFlight = new WeakMap<Worker, Set<number>>();
  let next = 0;
  const start = (name: string): Promise<Worker> => {
    const bundle = options.bundles[name];
    const environment = options.environments[name];
    if (!bundle || !environment) return Promise.reject(new Error(`no function ${name}`));
    const started = functionHostScript().then(
      (script) =>
        new Promise<Worker>((ready, fail) => {
          const worker = new Worker(script, {
            workerData: { name, bundle, callLog: options.callLog },
            // The thread's name (`top -H`, /proc/<pid>/task): which function the CPU and memory are.
            name,
            // Not the runtime's own `--import tsx`: its loader would run in every function's thread
            // (a hooks thread and an esbuild process of its own each).
            execArgv: [],
            // No smaller young generation: at 16 MB (a quarter less runtime memory in a burst) the
            // webhook functions' batches slowed other tenants' deliveries under a failing flood
            // (the bench's failing-receiver row, 1.3–2.4 × in four runs against 0.95 without it).
            env: { ...environment, ...options.runtime, AWS_LAMBDA_FUNCTION_NAME: name },
          });
          const ids = new Set<number>();
          inFlight.set(worker, ids);
          worker.on('message', (message: InvocationMessage) => {
            if (message.ready) return ready(worker);
            if (reports && message.durationMs !== undefined)
              reports.write(
                `${JSON.stringify({ function: name, durationMs: Math.round(message.durationMs * 100) / 100, billedMs: Math.ceil(message.durationMs), error: message.error !== undefined })}\n`,
              );
            const waiting = pending.get(message.id ?? -1);
            if (!waiting) return;
            pending.delete(message.id ?? -1);
            ids.delete(message.id ?? -1);
            if (message.error)
              waiting.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
            else waiting.resolve(message.result);
          });
          let crash: Error | undefined;
          worker.once('error', (error) => {
            crash = error;
          });
          // As Lambda after its runtime crashed: the invocations in flight fail (instead of waiting
          // for ever) and the next one starts the function afresh.
          worker.once('exit', (code) => {
            if (workers.get(name) === started) workers.delete(name);
            const error = new Error(
              `${name}: runtime exited ${crash ? `with error: ${crash.message}` : `(${code})`}`,
            );
            for (const id of ids) pending.get(id)?.reject(error);
            for (const id of ids) pending.delete(id);
            fail(error);
          });
          worker.unref();
        }),
    );
    return started;
  };
  return {
    invoker:
      (name) =>
      async (event, { timeoutMs = 29_000, requestId = randomUUID() } = {}) => {
        let worker = workers.get(name);
        if (!worker) {
          worker = start(name);
          workers.set(name, worker);
        }
        const ready = await worker;
        // It may have crashed since (its id is -1 before its exit event is emitted).
        if (ready.threadId === -1) throw new Error(`${name}: runtime exited`);
        const id = next++;
        return new Promise((resolve, reject) => {
          pending.set(id, { resolve, reject });
          inFlight.get(ready)?.add(id);
          ready.postMessage({ id, event, requestId, timeoutMs });
        });
      },
    stop: async () => {
      for (const worker of workers.values()) await (await worker.catch(() => null))?.terminate();
      workers.clear();
      if (reports) await new Promise((done) => reports.end(done));
    },
  };
}
