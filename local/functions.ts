import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { build } from 'esbuild';
import { BACKGROUND_FUNCTIONS } from '../functions/background.ts';
import { routeTable } from '../functions/http/routes.ts';
import { buildApp } from '../infra/app.ts';
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
  return Object.fromEntries(Object.keys(all).map((name) => [name, join(outDir, `${name}.mjs`)]));
}

/**
 * Each function's environment as the synthesized stack gives it. Plain values are taken as they
 * are; a value that names one of the stack's own resources (a `Ref`, `Fn::GetAtt`, `Fn::Join` or
 * dynamic reference) is replaced by the local resource of the same variable, from `local`.
 * A reference with no local counterpart fails the start, naming function and variable.
 */
export function synthesizedEnvironments(
  context: Record<string, string>,
  local: Record<string, string | undefined>,
): Record<string, Record<string, string>> {
  const { app, stack } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }));
  app.synth();
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Properties?: { Environment?: { Variables?: Record<string, unknown> } } }
  >;
  const fns: Record<string, IFunction> = {
    expireGrant: stack.expiry.expiryFunction.fn,
    sweep: stack.expiry.sweepFunction.fn,
    notify: stack.notifications.notifier.fn,
  };
  for (const [name, fn] of Object.entries(stack.api.functions)) fns[name] = fn.fn;
  const environments: Record<string, Record<string, string>> = {};
  for (const [name, fn] of Object.entries(fns)) {
    const id = stack.getLogicalId(fn.node.defaultChild as never);
    const variables = resources[id]?.Properties?.Environment?.Variables ?? {};
    environments[name] = Object.fromEntries(
      Object.entries(variables).map(([key, value]) => {
        if (typeof value === 'string' && !value.includes('{{resolve:')) return [key, value];
        const localValue = local[key];
        if (localValue === undefined)
          throw new Error(`${name}: ${key} names a stack resource that has no local counterpart`);
        return [key, localValue];
      }),
    );
  }
  return environments;
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
}): FunctionHost {
  const workers = new Map<string, Promise<Worker>>();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  const start = (name: string): Promise<Worker> => {
    const bundle = options.bundles[name];
    const environment = options.environments[name];
    if (!bundle || !environment) return Promise.reject(new Error(`no function ${name}`));
    return new Promise((ready, fail) => {
      const worker = new Worker(new URL('./function-worker.ts', import.meta.url), {
        workerData: { name, bundle, callLog: options.callLog },
        env: { ...environment, ...options.runtime, AWS_LAMBDA_FUNCTION_NAME: name },
      });
      worker.on('message', (message: { ready?: boolean; id?: number; result?: unknown; error?: Error }) => {
        if (message.ready) return ready(worker);
        const waiting = pending.get(message.id ?? -1);
        if (!waiting) return;
        pending.delete(message.id ?? -1);
        if (message.error)
          waiting.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
        else waiting.resolve(message.result);
      });
      worker.once('error', fail);
      worker.unref();
    });
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
        const id = next++;
        return new Promise((resolve, reject) => {
          pending.set(id, { resolve, reject });
          ready.postMessage({ id, event, requestId, timeoutMs });
        });
      },
    stop: async () => {
      for (const worker of workers.values()) await (await worker.catch(() => null))?.terminate();
      workers.clear();
    },
  };
}
