/**
 * One function, as Lambda runs it: its production bundle in its own thread with its own
 * environment (a worker thread's `process.env` is its own). Started by `functions.ts`.
 */
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { recordHttpCalls } from './aws-calls.ts';

interface Start {
  name: string;
  bundle: string;
  callLog?: string;
}
interface Invocation {
  id: number;
  event: unknown;
  requestId: string;
  timeoutMs: number;
}

const start = workerData as Start;
// As Lambda's Node: source-mapped stacks exactly when the function's NODE_OPTIONS ask for them.
process.setSourceMapsEnabled((process.env.NODE_OPTIONS ?? '').includes('--enable-source-maps'));
// Before the bundle loads: its SDK reaches AWS through node:http, which is recorded here.
if (start.callLog) recordHttpCalls(start.name, start.callLog);
const { handler } = (await import(pathToFileURL(start.bundle).href)) as {
  handler: (event: unknown, context: unknown) => Promise<unknown>;
};

parentPort?.on('message', async ({ id, event, requestId, timeoutMs }: Invocation) => {
  const startedAt = Date.now();
  const context = {
    functionName: start.name,
    functionVersion: '$LATEST',
    // As the local stack names its functions (local/stack.ts): a Scheduler target it can invoke.
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:support-access-local-${start.name}`,
    awsRequestId: requestId,
    memoryLimitInMB: '256',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - startedAt)),
  };
  const began = performance.now();
  try {
    const result = await handler(event, context);
    parentPort?.postMessage({ id, result, durationMs: performance.now() - began });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort?.postMessage({
      id,
      error: { name: e.name, message: e.message },
      durationMs: performance.now() - began,
    });
  }
});
parentPort?.postMessage({ ready: true });
