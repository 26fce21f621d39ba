import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { waitForPort } from './ports.ts';

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts a local engine as a child process and waits until it accepts connections on its port;
 * if it dies or never listens, it is killed and the error carries the tail of its stderr.
 */
export async function startServiceProcess(
  name: string,
  command: string,
  args: string[],
  options: { port: number; cwd?: string; readyTimeoutMs?: number },
): Promise<ServiceProcess> {
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  try {
    await waitForPort(options.port, options.readyTimeoutMs ?? 30_000, () => !exited);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start on port ${options.port}: ${(error as Error).message}\n${stderr}`);
  }
  stopWithParent(child.pid as number);
  return { child, pid: child.pid as number, stop: () => stopChild(child) };
}

/**
 * A watcher (a shell loop, about a megabyte) that stops the engine once this process is gone:
 * a runtime killed outright (a benchmark's time-out, `kill -9`) leaves no Java behind.
 */
function stopWithParent(pid: number) {
  const watch =
    'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; ' +
    'kill -0 "$2" 2>/dev/null || exit 0; kill "$2"; sleep 3; kill -9 "$2" 2>/dev/null; exit 0';
  spawn('/bin/sh', ['-c', watch, 'stop-with-parent', String(process.pid), String(pid)], {
    detached: true,
    stdio: 'ignore',
  }).unref();
}

/** Stops a child by PID: SIGTERM, then SIGKILL if it lingers. */
export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

/** The Lambda context the local runtime hands every function it invokes. */
export function lambdaContext(
  functionName: string,
  timeoutMs: number,
  requestId: string = randomUUID(),
): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `support-access-local-${functionName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:support-access-local-${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/support-access-local-${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
