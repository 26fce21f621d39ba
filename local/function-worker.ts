/**
 * One function, as Lambda runs it: its production bundle in its own thread with its own
 * environment (a worker thread's `process.env` is its own). Started by `functions.ts`.
 */
import { writeSync } from 'node:fs';
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

/**
 * What the function writes (its log lines, its metrics) goes to the process's stdout and stderr
 * from its own thread, in order, as a Lambda runtime writes it. A worker's streams are otherwise
 * relayed through the main thread's event loop, where the gateway's requests and the stream
 * pollers then wait behind every line of every function. Should a write not go through at once
 * (a pipe set non-blocking and full), the rest takes the relayed way.
 */
function writeFromThisThread(stream: NodeJS.WriteStream, fd: number) {
  const relay = stream.write.bind(stream) as (chunk: Uint8Array) => boolean;
  stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    const done = typeof encoding === 'function' ? encoding : callback;
    const data =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : chunk;
    let written = 0;
    try {
      while (written < data.length) written += writeSync(fd, data, written);
    } catch {
      return relay(data.subarray(written));
    } finally {
      if (typeof done === 'function') queueMicrotask(() => done());
    }
    return true;
  }) as typeof stream.write;
}
writeFromThisThread(process.stdout, 1);
writeFromThisThread(process.stderr, 2);
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
