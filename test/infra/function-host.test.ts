import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
