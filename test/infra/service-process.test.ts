import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../local/ports.ts';
import { until } from '../support/until.ts';

const ROOT = join(import.meta.dirname, '../..');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a local engine started by the runtime', () => {
  it('stops when the runtime that started it is killed outright (no engine left behind)', async () => {
    const port = await freePort();
    // A runtime that starts an engine (a bare TCP server standing in for DynamoDB Local), says
    // its PID and waits to be killed.
    const runtime = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { startServiceProcess } from ${JSON.stringify(join(ROOT, 'local/child.ts'))};
         const engine = await startServiceProcess('engine', process.execPath,
           ['-e', "require('node:net').createServer().listen(${port}, '127.0.0.1')"], { port: ${port} });
         console.log(engine.pid);
         setInterval(() => {}, 1000);`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const enginePid = await new Promise<number>((resolve, reject) => {
      runtime.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      runtime.once('exit', (code) =>
        reject(new Error(`the runtime exited (${code}) before its engine started`)),
      );
    });
    expect(alive(enginePid)).toBe(true);
    runtime.kill('SIGKILL');
    await until(
      async () => alive(enginePid),
      (running) => !running,
      15_000,
      'the engine to stop after its runtime was killed',
    );
  }, 30_000);
});
