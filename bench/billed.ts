import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { add, type Ctx } from './context.ts';
import { percentile } from './lib.ts';

/** The local function host's report of each invocation (`FUNCTION_REPORT_LOG`), as Lambda's REPORT line. */
export interface Report {
  function: string;
  durationMs: number;
  billedMs: number;
  error: boolean;
}

export async function reports(ctx: Ctx): Promise<Report[]> {
  const text = await readFile(join(ctx.dataDir, 'function-reports.ndjson'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Report);
}

/** Billed duration per function, p50 and p99. */
export function billedByFunction(all: readonly Report[]) {
  const by = new Map<string, number[]>();
  for (const r of all) by.set(r.function, [...(by.get(r.function) ?? []), r.billedMs]);
  return new Map(
    [...by].map(([name, ms]) => [
      name,
      { count: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99) },
    ]),
  );
}

/** Every function's billed duration over what the stack ran; the chainer's p99 has a target (it never waits). */
export async function billedDurations(ctx: Ctx, part: string) {
  const by = billedByFunction(await reports(ctx));
  for (const [name, d] of [...by].sort(([a], [b]) => a.localeCompare(b))) {
    const chainer = name === 'chainAudit';
    add({
      name: `billed duration of ${name} (${part}), p99`,
      value: d.p99,
      unit: `ms (p50 ${d.p50}; ${d.count} invocations)`,
      target: chainer ? '≤ 1000 ms' : '—',
      pass: chainer ? d.p99 <= 1000 : null,
    });
  }
  return Object.fromEntries(by);
}
