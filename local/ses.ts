import { join } from 'node:path';
import { startServiceProcess } from './child.ts';
import type { SesLimits } from './ses-quota.ts';

export interface SesEmulator {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the SES emulator (`aws-ses-v2-local`) on 127.0.0.1 as a child process, behind a check
 * that refuses requests not addressed to a loopback name and SES's sending quotas (see
 * `ses-server.ts`; no limits unless given).
 */
export async function startSesEmulator(port: number, limits: Partial<SesLimits> = {}): Promise<SesEmulator> {
  const arg = (limit: number | null | undefined) => (limit == null ? '-' : String(limit));
  const service = await startServiceProcess(
    'The SES emulator',
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'ses-server.ts'),
      String(port),
      arg(limits.maxSendRate),
      arg(limits.max24HourSend),
    ],
    { port, readyTimeoutMs: 15_000 },
  );
  return { url: `http://127.0.0.1:${port}`, pid: service.pid, stop: service.stop };
}
