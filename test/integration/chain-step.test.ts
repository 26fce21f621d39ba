import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, inject, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import { chainPendingOf, matchesChainFilter } from '../../functions/adapters/dynamodb/stream.ts';
import { verifyChain } from '../../functions/domain/audit-chain.ts';
import { CHAIN_SETTLE_MS, chainAuditLog, chainPending } from '../../functions/use-cases/audit.ts';
import { newEvent } from '../../functions/use-cases/events.ts';
import { checkAccess, listAudit } from '../../functions/use-cases/support.ts';
import { startStreamPoller } from '../../local/stream-poller.ts';
import { exportLines } from '../support/audit-table.ts';
import { givenActiveGrant, silentLog } from '../support/deps.ts';
import { recordChecksFromStream, streamRecords } from '../support/stream.ts';
import { localCredentials } from '../support/table.ts';
import { until } from '../support/until.ts';

type Given = Awaited<ReturnType<typeof givenActiveGrant>>;

/** What the stream has brought the chaining step so far (its filter), after the `seen` first records. */
async function chainRecords(t: Given, seen = 0): Promise<DynamoDBRecord[]> {
  return (await streamRecords(t.client, t.tableName)).filter(matchesChainFilter).slice(seen);
}

/** A store that counts every read of it into `reads` (its notes to come back are not reads). */
function counting<T extends object>(store: T, reads: string[]): T {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (name !== 'chainLater') reads.push(String(name));
        return value.apply(target, args);
      };
    },
  });
}

/** The stores as the chaining step sees them, counting its reads of tenants. */
function counted(t: Given) {
  const reads: string[] = [];
  const deps = {
    chain: counting(t.stores.chain, reads),
    checks: counting(t.stores.checks, reads),
    clock: t.clock,
    log: silentLog,
  };
  return { deps, reads };
}

const hashes = async (t: Given) =>
  (await listAudit(t.deps, 'acme', { limit: 50 })).items.map((e) => e.hash !== undefined);

describe('the chaining step on the stream (DynamoDB Local)', () => {
  it('never waits: events too new to chain are named in a note that the stream brings back, and chained from it once settled', async () => {
    const t = await givenActiveGrant();
    const first = await chainRecords(t);
    expect(first.length).toBe(2); // contact.added, grant.created
    const step = counted(t);
    const started = Date.now();
    const run = await chainPending(step.deps, first.flatMap(chainPendingOf));
    expect(Date.now() - started).toBeLessThan(CHAIN_SETTLE_MS / 4);
    // Nothing had settled: not one read, the tenant carried into a note.
    expect(run).toMatchObject({ chained: 0, visited: 0, later: 1 });
    expect(step.reads).toEqual([]);
    const [note, ...none] = await chainRecords(t, first.length);
    expect(none).toEqual([]);
    const noted = chainPendingOf(note as DynamoDBRecord);
    expect(noted).toEqual([
      { tenantId: 'acme', from: first.flatMap(chainPendingOf)[0]?.from, to: expect.any(String) },
    ]);
    expect(await hashes(t)).toEqual([false, false]);

    // The note comes back after the batching window (the settle time): now it chains.
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    expect(await chainPending(t.deps, noted)).toMatchObject({ chained: 2, visited: 1, later: 0 });
    expect(await hashes(t)).toEqual([true, true]);
    expect(await chainRecords(t, first.length + 1)).toEqual([]);
  });

  it('a tenant held back by its check mark comes back when the mark moves, and waits in a note while its events are new', async () => {
    const t = await givenActiveGrant();
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    await checkAccess(t.deps, 'acme', 'agent@vendor.example');
    // The check is stamped, its event not yet recorded (no mark at all): nothing is chained, and
    // no note is left either — the recorder's writes bring the tenant back.
    const before = await chainRecords(t);
    const run = await chainPending(t.deps, before.flatMap(chainPendingOf));
    expect(run).toMatchObject({ chained: 0, visited: 1, later: 0 });
    await recordChecksFromStream(t);
    const after = await chainRecords(t, before.length);
    // The check's event and its mark's move: both name the tenant, at the check's time.
    expect(after.flatMap(chainPendingOf).map((p) => p.tenantId)).toEqual(['acme', 'acme']);
    // Its batch's events are all too new: the tenant waits whole in a note (the settled events
    // before the check are chained with it when the note comes back).
    const newer = await chainPending(t.deps, after.flatMap(chainPendingOf));
    expect(newer).toMatchObject({ chained: 0, visited: 0, later: 1 });
    const [note] = await chainRecords(t, before.length + after.length);
    const noted = chainPendingOf(note as DynamoDBRecord);
    expect(noted.map((p) => p.tenantId)).toEqual(['acme']);
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    expect(await chainPending(t.deps, noted)).toMatchObject({ chained: 3, later: 0 });
    expect(await hashes(t)).toEqual([true, true, true]);
  });

  it('merges what a batch says of one tenant: its oldest event decides whether it is read, its newest whether a note is left', async () => {
    const t = await givenActiveGrant();
    const at = (ms: number) => new Date(t.clock.now().getTime() + ms).toISOString();
    const settledOne = { tenantId: 'acme', from: at(-CHAIN_SETTLE_MS - 5), to: at(-CHAIN_SETTLE_MS - 5) };
    const fresh = { tenantId: 'acme', from: at(0), to: at(0) };
    const step = counted(t);
    expect(await chainPending(step.deps, [fresh, settledOne])).toMatchObject({ visited: 1, later: 1 });
    expect(step.reads.length).toBeGreaterThan(0);
    const [note] = await chainRecords(t, 2);
    expect(chainPendingOf(note as DynamoDBRecord)).toEqual([fresh]);
  });
});

/** `n` support activities of `acme`, 10 ms apart (no grant named: nothing else is written). */
async function activities(t: Given, n: number) {
  for (let i = 0; i < n; i++, t.clock.advance(10))
    await t.stores.checks.appendEventOnce(
      newEvent(t.deps, t.clock.now(), 'acme', 'support.activity', 'agent@vendor.example', null, {
        action: `step ${i}`,
        target: null,
        ticket: null,
      }),
    );
}

describe('the chaining step’s round trips and races (DynamoDB Local)', () => {
  it('reads every tenant’s checks in one batch and each tenant’s unchained tail with its head in one query, then writes one transaction', async () => {
    const t = await givenActiveGrant();
    await activities(t, 5);
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    const step = counted(t);
    expect(await chainPending(step.deps, (await chainRecords(t)).flatMap(chainPendingOf))).toMatchObject({
      chained: 7,
      later: 0,
    });
    expect(step.reads.sort()).toEqual(['chainEvents', 'checkStates', 'unchainedTail']);
    expect(verifyChain(await exportLines(t, 10))).toMatchObject({ ok: true, events: 7 });
    // Chained already: the next pass finds an empty tail and writes nothing.
    await activities(t, 1);
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    const again = counted(t);
    const settled = new Date(t.clock.now().getTime() - CHAIN_SETTLE_MS - 1).toISOString();
    expect(await chainPending(again.deps, [{ tenantId: 'acme', from: settled, to: settled }])).toMatchObject({
      chained: 1,
    });
    expect(again.reads.sort()).toEqual(['chainEvents', 'checkStates', 'unchainedTail']);
  });

  it('a step whose head moved after it read the tail goes on from the new head: nothing forked, doubled or left out', async () => {
    const t = await givenActiveGrant();
    await activities(t, 10);
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    const pending = (await chainRecords(t)).flatMap(chainPendingOf);
    // Another chainer (its clock behind) chains the first half between this step's read and its write.
    const halfway = new Date(Date.parse((pending[5] as (typeof pending)[0]).from) + 1);
    let raced = false;
    const racing = {
      ...t.deps,
      chain: new Proxy(t.stores.chain, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver);
          if (name !== 'chainEvents' || typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            if (!raced) {
              raced = true;
              expect((await chainAuditLog(t.deps, 'acme', CHAIN_SETTLE_MS, halfway)).chained).toBe(6);
            }
            return value.apply(target, args);
          };
        },
      }),
    };
    expect(await chainPending(racing, pending)).toMatchObject({ chained: 6, later: 0 });
    const lines = await exportLines(t, 20);
    expect(verifyChain(lines)).toMatchObject({ ok: true, events: 12 });
    expect(new Set(lines.map((l) => JSON.parse(l).hash)).size).toBe(12);
  });

  it('steps racing for the same tenants never fork or double the chain', async () => {
    const t = await givenActiveGrant();
    await activities(t, 30);
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    const pending = (await chainRecords(t)).flatMap(chainPendingOf);
    const runs = await Promise.all([1, 2, 3, 4].map(() => chainPending(t.deps, pending)));
    expect(runs.reduce((n, r) => n + r.chained, 0)).toBe(32);
    const lines = await exportLines(t, 50);
    expect(verifyChain(lines)).toMatchObject({ ok: true, events: 32 });
    expect((await t.stores.chain.getChainHead('acme'))?.seq).toBe(32);
  });

  it('a deleted head is not taken from the events: the step stops and says so, and what was chained still verifies', async () => {
    const t = await givenActiveGrant();
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    expect((await chainAuditLog(t.deps, 'acme')).chained).toBe(2);
    await activities(t, 2);
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    await t.doc.send(
      new DeleteCommand({ TableName: t.tableName, Key: { pk: keys.tenant('acme'), sk: keys.chainHead } }),
    );
    const settled = new Date(t.clock.now().getTime() - CHAIN_SETTLE_MS - 1).toISOString();
    await expect(chainPending(t.deps, [{ tenantId: 'acme', from: settled, to: settled }])).rejects.toThrow(
      'behind its chained events',
    );
    expect(verifyChain(await exportLines(t, 10))).toMatchObject({ ok: true, events: 2 });
  });
});

describe('the chaining step’s time budget (DynamoDB Local)', () => {
  it('starts no tenant past its budget and stops a long chain after the transaction in hand: the rest is noted, then chained', async () => {
    const t = await givenActiveGrant();
    for (let i = 0; i < 120; i++)
      await t.stores.checks.appendEventOnce(
        newEvent(t.deps, t.clock.now(), 'acme', 'support.activity', 'agent@vendor.example', null, {
          action: `step ${i}`,
          target: null,
          ticket: null,
        }),
      );
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    const pending = (await chainRecords(t)).flatMap(chainPendingOf);
    // No time at all: nothing read, the tenant noted whole.
    const idle = counted(t);
    expect(await chainPending(idle.deps, pending, CHAIN_SETTLE_MS, 0)).toMatchObject({
      visited: 0,
      later: 1,
    });
    expect(idle.reads).toEqual([]);
    // Each transaction takes a second here: the first batch of 99 is written, the rest noted.
    const slow = {
      ...t.deps,
      chain: new Proxy(t.stores.chain, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver);
          if (name !== 'chainEvents' || typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            await value.apply(target, args);
            t.clock.advance(1000);
          };
        },
      }),
    };
    expect(await chainPending(slow, pending, CHAIN_SETTLE_MS, 500)).toMatchObject({ chained: 99, later: 1 });
    expect(await chainPending(t.deps, pending)).toMatchObject({ chained: 122 - 99, later: 0 });
    expect((await hashes(t)).every(Boolean)).toBe(true);
  });
});

describe('the local stream poller: the event source mapping’s batching window (DynamoDB Local)', () => {
  it('gathers records for the window unless a batch fills first, and never loses one', async () => {
    const t = await givenActiveGrant();
    const dataDir = await mkdtemp(join(tmpdir(), 'poller-window-'));
    const streams = new DynamoDBStreamsClient({
      endpoint: inject('dynamoEndpoint'),
      region: 'eu-central-1',
      credentials: localCredentials,
    });
    const batches: { at: number; ids: string[] }[] = [];
    const windowMs = 2000;
    // Only this test's own items pass: the grant's records are read first and passed over.
    const mine = (r: DynamoDBRecord) => r.dynamodb?.NewImage?.kind?.S === 'window-test';
    const poller = await startStreamPoller({
      dynamodb: t.client,
      streams,
      tableName: t.tableName,
      dataDir,
      consumer: 'window',
      filter: mine,
      pollMs: 50,
      batchSize: 3,
      batchingWindowMs: windowMs,
      handler: async (event) => {
        batches.push({ at: Date.now(), ids: event.Records.map((r) => r.dynamodb?.Keys?.pk?.S ?? '') });
        return undefined;
      },
    });
    const put = (id: string) =>
      t.doc.send(new PutCommand({ TableName: t.tableName, Item: { pk: id, sk: 'x', kind: 'window-test' } }));
    const batchesSeen = (count: number, what: string) =>
      until(
        async () => batches.length,
        (n) => n === count,
        10_000,
        what,
      );
    try {
      const written = Date.now();
      await put('one');
      await batchesSeen(1, 'the first batch');
      expect(batches[0]?.ids).toEqual(['one']);
      expect((batches[0]?.at ?? 0) - written).toBeGreaterThanOrEqual(windowMs);

      // A full batch goes at once.
      const full = Date.now();
      await put('two');
      await put('three');
      await put('four');
      await batchesSeen(2, 'the full batch');
      expect(batches[1]?.ids).toEqual(['two', 'three', 'four']);
      expect((batches[1]?.at ?? 0) - full).toBeLessThan(windowMs);
    } finally {
      await poller.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
