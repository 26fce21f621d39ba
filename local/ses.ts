import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { stopChild } from './dynamodb.ts';
import { waitForPort } from './ports.ts';

export interface SesEmulator {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the SES emulator (`aws-ses-v2-local`) on 127.0.0.1 as a child process. */
export async function startSesEmulator(port: number): Promise<SesEmulator> {
  const require = createRequire(import.meta.url);
  const cli = join(dirname(require.resolve('aws-ses-v2-local/package.json')), 'dist', 'cli.js');
  const child: ChildProcess = spawn(process.execPath, [cli, '--port', String(port), '--host', '127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  try {
    await waitForPort(port, 15_000, () => !exited);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`The SES emulator did not start on port ${port}: ${(error as Error).message}\n${stderr}`);
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid as number, stop: () => stopChild(child) };
}
