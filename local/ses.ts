import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startServiceProcess } from './child.ts';

export interface SesEmulator {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the SES emulator (`aws-ses-v2-local`) on 127.0.0.1 as a child process. */
export async function startSesEmulator(port: number): Promise<SesEmulator> {
  const require = createRequire(import.meta.url);
  const cli = join(dirname(require.resolve('aws-ses-v2-local/package.json')), 'dist', 'cli.js');
  const service = await startServiceProcess(
    'The SES emulator',
    process.execPath,
    [cli, '--port', String(port), '--host', '127.0.0.1'],
    { port, readyTimeoutMs: 15_000 },
  );
  return { url: `http://127.0.0.1:${port}`, pid: service.pid, stop: service.stop };
}
