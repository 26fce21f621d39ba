import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionHost, startFunctions } from '../../local/functions.ts';

/** A function whose runtime dies (an exception nobody catches) when asked to. */
const BUNDLE = `
import { threadId } from 'node:worker_threads';
export const handler = async (event) => {
  if (event.crash) {
    setTimeout(() => { throw new Error('boom'); });
    return new Promise(() => {});
  }
  if (event.waitMs) await new Promise((resolve) => setTimeout(resolve, event.waitMs));
  return { threadId };
};
`;

describe('the local function host after a function runtime crashed', () => {
  let dir: string;
  let host: FunctionHost;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'function-host-'));
    await writeFile(join(dir, 'fragile.mjs'), BUNDLE);
    host = startFunctions({
      bundles: { fragile: join(dir, 'fragile.mjs') },
      environments: { fragile: {} },
      runtime: {},
    });
  });
  afterAll(async () => {
    await host.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails the invocations in flight, as Lambda does, and starts the function afresh for the next', async () => {
    const invoke = host.invoker('fragile');
    const before = (await invoke({})) as { threadId: number };
    const inFlight = await Promise.allSettled([invoke({ waitMs: 2000 }), invoke({ crash: true })]);
    expect(inFlight).toEqual([
      { status: 'rejected', reason: new Error('fragile: runtime exited with error: boom') },
      { status: 'rejected', reason: new Error('fragile: runtime exited with error: boom') },
    ]);
    const after = (await invoke({})) as { threadId: number };
    expect(after.threadId).not.toBe(before.threadId);
  }, 20_000);
});

describe('the local function host’s reports', () => {
  it('writes one report per invocation, as Lambda’s REPORT line: the handler’s duration and the billed whole milliseconds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'function-host-'));
    await writeFile(join(dir, 'timed.mjs'), BUNDLE);
    const host = startFunctions({
      bundles: { timed: join(dir, 'timed.mjs') },
      environments: { timed: {} },
      runtime: {},
      reportLog: join(dir, 'reports.ndjson'),
    });
    try {
      const invoke = host.invoker('timed');
      await invoke({ waitMs: 300 });
      await invoke({});
    } finally {
      await host.stop();
    }
    const reports = (await readFile(join(dir, 'reports.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    await rm(dir, { recursive: true, force: true });
    expect(reports).toHaveLength(2);
    const [slow, quick] = reports;
    expect(slow).toMatchObject({ function: 'timed', error: false });
    expect(slow.durationMs).toBeGreaterThanOrEqual(299);
    // Billed is the exact duration rounded up to a whole millisecond, the duration is shown to
    // two decimals: so billed is whole, never below the shown duration and at most 1 ms above it.
    expect(Number.isInteger(slow.billedMs)).toBe(true);
    expect(slow.billedMs).toBeGreaterThanOrEqual(slow.durationMs);
    expect(slow.billedMs - slow.durationMs).toBeLessThanOrEqual(1.005);
    expect(quick.durationMs).toBeLessThan(slow.durationMs);
  }, 20_000);
});
