import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

describe('the local function host’s output', () => {
  it('writes a function’s log lines from its own thread: they reach stdout while the main thread is busy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'function-host-'));
    try {
      await writeFile(
        join(dir, 'logs.mjs'),
        `export const handler = async (event) => {
  if (event.log) await new Promise((resolve) => setTimeout(resolve, 100));
  if (event.log) console.log('line from the function');
  return {};
};`,
      );
      // The main thread starts the invocation, then keeps its event loop busy for two seconds (as
      // the gateway and the stream pollers do under load) before it writes a line of its own.
      await writeFile(
        join(dir, 'main.mts'),
        `import { startFunctions } from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'local', 'functions.ts'))};
const host = startFunctions({ bundles: { logs: ${JSON.stringify(join(dir, 'logs.mjs'))} }, environments: { logs: {} }, runtime: {} });
// The host's workers do not keep a process alive (the stack's servers do): this timer does.
const alive = setInterval(() => {}, 1000);
const invoke = host.invoker('logs');
await invoke({});
const logged = invoke({ log: true });
await new Promise((resolve) => setImmediate(resolve));
const until = Date.now() + 2000;
while (Date.now() < until);
process.stdout.write('main thread free\\n');
await logged;
await host.stop();
clearInterval(alive);
`,
      );
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', join(dir, 'main.mts')],
        {
          cwd: join(import.meta.dirname, '..', '..'),
        },
      );
      expect(stdout.trim().split('\n')).toEqual(['line from the function', 'main thread free']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('the local function host’s threads', () => {
  it('runs a function without the runtime’s own loader (a dozen of them share one process)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'function-host-'));
    try {
      await writeFile(
        join(dir, 'options.mjs'),
        `export const handler = async () => ({ execArgv: process.execArgv });`,
      );
      await writeFile(
        join(dir, 'main.mts'),
        `import { startFunctions } from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'local', 'functions.ts'))};
const host = startFunctions({ bundles: { options: ${JSON.stringify(join(dir, 'options.mjs'))} }, environments: { options: {} }, runtime: {} });
const alive = setInterval(() => {}, 1000);
process.stdout.write(JSON.stringify({ runtime: process.execArgv, fn: await host.invoker('options')({}) }));
await host.stop();
clearInterval(alive);
`,
      );
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', join(dir, 'main.mts')],
        { cwd: join(import.meta.dirname, '..', '..') },
      );
      expect(JSON.parse(stdout)).toEqual({ runtime: ['--import', 'tsx'], fn: { execArgv: [] } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
