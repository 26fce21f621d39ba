import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBStreamsClient, GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, inject, it } from 'vitest';
import { laneOf } from '../../local/stream-lanes.ts';
import { type StreamPollerOptions, startStreamPoller } from '../../local/stream-poller.ts';
import { freshTable, localCredentials } from '../support/table.ts';
import { until } from '../support/until.ts';

const LANES = 4;
const laneOfKey = (pk: string) => laneOf({ dynamodb: { Keys: { pk: { S: pk } } } }, 'pk', LANES);
/** Partition keys that land on different lanes. */
function keysOnDistinctLanes(count: number): string[] {
  const keys: string[] = [];
  const lanes = new Set<number>();
  for (let i = 0; keys.length < count; i++) {
    const key = `TENANT#lane-${i}`;
    if (lanes.has(laneOfKey(key))) continue;
    lanes.add(laneOfKey(key));
    keys.push(key);
  }
  return keys;
}

const idOf = (r: DynamoDBRecord) => `${r.dynamodb?.Keys?.pk?.S}/${r.dynamodb?.Keys?.sk?.S}`;
// Only this test's items pass.
const mine = (r: DynamoDBRecord) => r.dynamodb?.NewImage?.kind?.S === 'lane-test';

async function given() {
  const table = await freshTable();
  const dataDir = await mkdtemp(join(tmpdir(), 'poller-lanes-'));
  const streams = new DynamoDBStreamsClient({
    endpoint: inject('dynamoEndpoint'),
    region: 'eu-central-1',
    credentials: localCredentials,
  });
  const put = (pk: string, sk: string, kind = 'lane-test') =>
    table.doc.send(new PutCommand({ TableName: table.tableName, Item: { pk, sk, kind } }));
  let reads = 0;
  /** The error the next read fails with, as DynamoDB Streams would answer it. */
  let failNext: string | undefined;
  let failedReads = 0;
  const send = streams.send.bind(streams);
  streams.send = ((command: unknown, ...rest: unknown[]) => {
    if (command instanceof GetRecordsCommand) {
      reads++;
      if (failNext) {
        const error = Object.assign(new Error(`${failNext} (from the test)`), { name: failNext });
        failNext = undefined;
        failedReads++;
        return Promise.reject(error);
      }
    }
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof streams.send;
  const start = (handler: StreamPollerOptions['handler'], options: Partial<StreamPollerOptions> = {}) =>
    startStreamPoller({
      dynamodb: table.client,
      streams,
      tableName: table.tableName,
      dataDir,
      consumer: 'lanes',
      filter: mine,
      pollMs: 50,
      retryBaseMs: 100,
      batchSize: 2,
      parallelization: LANES,
      handler,
      ...options,
    });
  /** `count` items of one partition key, written 25 at a time. */
  const putMany = async (pk: string, count: number) => {
    for (let i = 0; i < count; i += 25)
      await table.doc.send(
        new BatchWriteCommand({
          RequestItems: {
            [table.tableName]: Array.from({ length: Math.min(25, count - i) }, (_, j) => ({
              PutRequest: { Item: { pk, sk: String(i + j), kind: 'lane-test' } },
            })),
          },
        }),
      );
  };
  return {
    put,
    putMany,
    start,
    reads: () => reads,
    failNextRead: (name: string) => {
      failNext = name;
    },
    failedReads: () => failedReads,
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
}

describe('the local stream poller: the event source mapping’s parallelization factor (DynamoDB Local)', () => {
  it('keeps each partition key’s records in order on one lane while other keys’ batches go on beside it', async () => {
    const t = await given();
    const [slow, fast] = keysOnDistinctLanes(2) as [string, string];
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handled: string[][] = [];
    const poller = await t.start(async (event: DynamoDBStreamEvent) => {
      const ids = event.Records.map(idOf);
      if (ids[0]?.startsWith(slow) && handled.every((batch) => !batch[0]?.startsWith(slow))) await held;
      handled.push(ids);
      return undefined;
    });
    try {
      for (const sk of ['1', '2', '3']) await t.put(slow, sk);
      for (const sk of ['1', '2']) await t.put(fast, sk);
      // The slow key's first batch is held: the other key's records are handled meanwhile.
      await until(
        async () => handled.flat(),
        (ids) => ids.includes(`${fast}/1`) && ids.includes(`${fast}/2`),
        10_000,
        'the other lane’s records while the first is held',
      );
      expect(handled.flat().some((id) => id.startsWith(slow))).toBe(false);
      release();
      await until(
        async () => handled.flat().filter((id) => id.startsWith(slow)),
        (ids) => ids.length === 3,
        10_000,
        'the held lane’s records',
      );
      expect(handled.flat().filter((id) => id.startsWith(slow))).toEqual([
        `${slow}/1`,
        `${slow}/2`,
        `${slow}/3`,
      ]);
      expect(handled.every((batch) => new Set(batch.map((id) => id.split('/')[0])).size === 1)).toBe(true);
    } finally {
      release();
      await poller.stop();
      await t.cleanup();
    }
  });

  it('retries a failing batch on its own lane: the other lanes’ records go on meanwhile, each once and in order', async () => {
    const t = await given();
    const [failing, other] = keysOnDistinctLanes(2) as [string, string];
    const FAILURES = 3;
    // Written before the poller starts: one read hands both lanes their first batch at once.
    await t.put(other, '1');
    await t.put(failing, 'x');
    await t.put(other, '2');
    const handled: string[] = [];
    let failures = 0;
    let recovered = false;
    const handler = async (event: DynamoDBStreamEvent) => {
      const ids = event.Records.map(idOf);
      handled.push(...ids);
      if (ids.includes(`${failing}/x`)) {
        // Fails (the function throws) until it has failed often enough and the other lane's later
        // records have all come: they do not wait for it.
        if (failures < FAILURES || !handled.includes(`${other}/6`)) {
          failures++;
          throw new Error('the function fails');
        }
        recovered = true;
      }
      return undefined;
    };
    const poller = await t.start(handler);
    try {
      await until(
        async () => failures,
        (n) => n >= 1,
        10_000,
        'the first failure',
      );
      for (const sk of ['3', '4', '5', '6']) await t.put(other, sk);
      await until(
        async () => handled,
        (ids) => ids.includes(`${other}/6`),
        10_000,
        'the other lane’s later records while the failing lane backs off',
      );
      await until(
        async () => recovered,
        (done) => done,
        10_000,
        'the failing lane’s recovery',
      );
      expect(handled.filter((id) => id.startsWith(`${other}/`))).toEqual(
        ['1', '2', '3', '4', '5', '6'].map((sk) => `${other}/${sk}`),
      );
      expect(handled.filter((id) => id === `${failing}/x`)).toHaveLength(failures + 1);
      expect(failures).toBeGreaterThanOrEqual(FAILURES);
    } finally {
      await poller.stop();
    }
    // Everything was handled: a restart gives nothing again.
    handled.length = 0;
    const again = await t.start(handler);
    try {
      await t.put(other, 'new');
      await until(
        async () => handled,
        (ids) => ids.includes(`${other}/new`),
        10_000,
        'the new record after the restart',
      );
      expect(handled).toEqual([`${other}/new`]);
    } finally {
      await again.stop();
      await t.cleanup();
    }
  });

  it('keeps reading past records the filter passes over while a lane fails: they do not fill the read-ahead', async () => {
    const t = await given();
    const [failing, other] = keysOnDistinctLanes(2) as [string, string];
    await t.put(failing, 'x');
    const handled: string[] = [];
    let failures = 0;
    const poller = await t.start(
      async (event) => {
        const ids = event.Records.map(idOf);
        handled.push(...ids);
        if (ids.includes(`${failing}/x`) && !handled.includes(`${other}/after`)) {
          failures++;
          throw new Error('the function fails');
        }
        return undefined;
      },
      { readAheadMax: 10 },
    );
    try {
      await until(
        async () => failures,
        (n) => n >= 1,
        10_000,
        'the first failure',
      );
      // Many more records than the read-ahead holds, none for this consumer, read while the lane fails.
      for (let i = 0; i < 30; i++) await t.put('TENANT#elsewhere', String(i), 'not-for-this-consumer');
      await t.put(other, 'after');
      await until(
        async () => handled,
        (ids) => ids.includes(`${other}/after`),
        10_000,
        'the other lane’s record written after them',
      );
      await until(
        async () => handled.filter((id) => id === `${failing}/x`).length,
        (n) => n === failures + 1,
        10_000,
        'the failing lane’s recovery',
      );
    } finally {
      await poller.stop();
      await t.cleanup();
    }
  });

  it('checkpoints only up to the oldest record a lane has not finished: a restart gives the failing lane’s records again', async () => {
    const t = await given();
    const [failing, other] = keysOnDistinctLanes(2) as [string, string];
    await t.put(other, 'before');
    await t.put(failing, 'x');
    await t.put(failing, 'y');
    await t.put(other, 'after');
    const handled: string[] = [];
    // The function reports the failing key's first record as failed, again and again.
    const failingOn = async (event: DynamoDBStreamEvent) => {
      handled.push(...event.Records.map(idOf));
      const failed = event.Records.find((r) => idOf(r) === `${failing}/x`);
      return failed
        ? { batchItemFailures: [{ itemIdentifier: failed.dynamodb?.SequenceNumber as string }] }
        : undefined;
    };
    const poller = await t.start(failingOn);
    try {
      await until(
        async () => handled,
        (ids) => ids.includes(`${other}/after`) && ids.filter((id) => id === `${failing}/x`).length >= 2,
        10_000,
        'the other lane’s records and the failing one given again',
      );
      expect(handled.filter((id) => id.startsWith(`${other}/`))).toEqual([
        `${other}/before`,
        `${other}/after`,
      ]);
    } finally {
      await poller.stop();
    }
    handled.length = 0;
    const again = await t.start(async (event) => {
      handled.push(...event.Records.map(idOf));
      return undefined;
    });
    try {
      await until(
        async () => handled,
        (ids) => ids.includes(`${failing}/y`),
        10_000,
        'the failing lane’s records after the restart',
      );
      // From the failed record on, as read again from the checkpoint: the other lane's record
      // after it comes again too; the one before it, checkpointed, does not.
      expect(handled.filter((id) => id.startsWith(`${failing}/`))).toEqual([`${failing}/x`, `${failing}/y`]);
      await until(
        async () => handled,
        (ids) => ids.includes(`${other}/after`),
        10_000,
        'the other lane’s record after the failed one',
      );
      expect(handled).not.toContain(`${other}/before`);
    } finally {
      await again.stop();
      await t.cleanup();
    }
  });
});

describe('the local stream poller: how often it reads (DynamoDB Local)', () => {
  it('reads a shard that keeps getting records once per poll interval, not as fast as it can', async () => {
    const t = await given();
    const handled: string[] = [];
    const poller = await t.start(
      async (event) => {
        handled.push(...event.Records.map(idOf));
        return undefined;
      },
      { pollMs: 250, parallelization: 1 },
    );
    try {
      const before = t.reads();
      const started = Date.now();
      let written = 0;
      while (Date.now() - started < 2_000) await t.put('TENANT#busy', String(++written));
      const elapsed = Date.now() - started;
      await until(
        async () => handled.length,
        (n) => n === written,
        10_000,
        'every record handled',
      );
      // About one read per interval (and one more once the last records came).
      expect(t.reads() - before).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 3);
    } finally {
      await poller.stop();
      await t.cleanup();
    }
  });
});

describe('the local stream poller: a lane that holds up the reading (DynamoDB Local)', () => {
  it('waits, letting everything else in the process go on, once it has read as far ahead as it may', async () => {
    const t = await given();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let handled = 0;
    // Written before the poller starts: its first read comes back full and fills the read-ahead.
    await t.putMany('TENANT#held', 1_000);
    const poller = await t.start(
      async (event) => {
        await held;
        handled += event.Records.length;
        return undefined;
      },
      { parallelization: 1, batchSize: 100, readAheadMax: 1_000 },
    );
    try {
      await until(
        async () => t.reads(),
        (n) => n >= 1,
        10_000,
        'the first read',
      );
      // The process's timers (and its server sockets, workers' answers…) still get their turn.
      const late: number[] = [];
      for (let i = 0; i < 5; i++) {
        const asked = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 20));
        late.push(Date.now() - asked - 20);
      }
      expect(Math.max(...late)).toBeLessThan(500);
      release();
      await until(
        async () => handled,
        (n) => n === 1_000,
        20_000,
        'every record handled once the lane goes on',
      );
    } finally {
      release();
      await poller.stop();
      await t.cleanup();
    }
  }, 60_000);
});

describe('the local stream poller: a read that fails (DynamoDB Local)', () => {
  it.each(['ExpiredIteratorException', 'InternalServerError'])(
    'reads on after the last record read when a read fails with %s: no record is given again',
    async (errorName) => {
      const t = await given();
      const [failing, other] = keysOnDistinctLanes(2) as [string, string];
      // The failing lane holds the checkpoint before `other/2`: a read from the checkpoint would give it again.
      await t.put(other, '1');
      await t.put(failing, 'x');
      await t.put(other, '2');
      const handled: string[] = [];
      let failsNow = true;
      let recovered = false;
      const poller = await t.start(async (event) => {
        const ids = event.Records.map(idOf);
        handled.push(...ids);
        if (ids.includes(`${failing}/x`)) {
          if (failsNow) throw new Error('the function fails');
          recovered = true;
        }
        return undefined;
      });
      try {
        await until(
          async () => handled,
          (ids) => ids.includes(`${other}/2`) && ids.includes(`${failing}/x`),
          10_000,
          'both lanes’ first batches',
        );
        t.failNextRead(errorName);
        await until(
          async () => t.failedReads(),
          (n) => n === 1,
          10_000,
          'the failed read',
        );
        await t.put(other, '3');
        await until(
          async () => handled,
          (ids) => ids.includes(`${other}/3`),
          15_000,
          'the record written after the failed read',
        );
        failsNow = false;
        await until(
          async () => recovered,
          (done) => done,
          15_000,
          'the failing lane’s recovery',
        );
        expect(handled.filter((id) => id.startsWith(`${other}/`))).toEqual([
          `${other}/1`,
          `${other}/2`,
          `${other}/3`,
        ]);
      } finally {
        await poller.stop();
        await t.cleanup();
      }
    },
  );
});
