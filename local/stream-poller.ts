import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type Entry, Lane, laneOf, type Queued, retryDelayMs } from './stream-lanes.ts';

/**
 * Reads the table's stream from DynamoDB Local and invokes the handler exactly as Lambda's
 * event source mapping would: batches in order per shard — or, with a parallelization factor,
 * per lane of a shard, the records of one partition key always on the same lane and in order,
 * lanes side by side — a reported failure (or a thrown error) gives the batch again from that
 * record after a backoff, on its own lane while the others go on; progress checkpointed under the
 * data folder (only past what every lane has finished) so a restart resumes where it stopped.
 */
/** Records one GetRecords call may return (the DynamoDB Streams maximum). */
const STREAM_READ_LIMIT = 1000;
/**
 * Records read ahead of the checkpoint at most (a run of records passed over counts once): a slow
 * lane stops the reading, not the memory.
 */
const READ_AHEAD_MAX = 10_000;

export interface StreamPollerOptions {
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  tableName: string;
  dataDir: string;
  /** Names the checkpoint file: each consumer of the stream keeps its own place. */
  consumer: string;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;
  /** Only matching records reach the handler (the event source mapping's filter criteria). */
  filter?: (record: DynamoDBRecord) => boolean;
  pollMs?: number;
  /**
   * Stop without waiting for the batches in flight (they are not checkpointed, so the next start
   * delivers them again): for a consumer whose handler may wait long and is safe to repeat.
   */
  abandonOnStop?: boolean;
  /** Matching records per handler invocation (the event source mapping's batch size; 100). */
  batchSize?: number;
  /**
   * How long matching records gather before the handler gets them, unless a batch fills first
   * (the event source mapping's batching window; 0: at once).
   */
  batchingWindowMs?: number;
  /** Batches per shard handled at once (the event source mapping's parallelization factor; 1). */
  parallelization?: number;
  /** Records read ahead of the checkpoint at most (10 000). */
  readAheadMax?: number;
  retryBaseMs?: number;
}

export interface StreamPoller {
  ready(): boolean;
  stop(): Promise<void>;
}

interface Checkpoints {
  streamArn: string | null;
  /** shardId → last processed sequence number, or "closed". */
  shards: Record<string, string>;
}

interface ShardState {
  shardId: string;
  parentShardId?: string | undefined;
  iterator?: string | undefined;
  /** The last record read: a new iterator (the last one expired or failed) reads on after it. */
  lastRead?: string | undefined;
  /** The shard ended (no next iterator): what is queued goes without waiting for a window. */
  closed: boolean;
  /** When it was last read, and whether that read was full (more is waiting: read on at once). */
  readAt: number;
  full: boolean;
  /** A read that failed is tried again after a backoff; the lanes go on with what was read. */
  readRetryAt: number;
  readFailures: number;
  /** In stream order, from the checkpoint on. */
  read: Entry[];
  lanes: Lane[];
  inFlight: number;
}

/** A record as DynamoDB Streams returns it, in the shape Lambda hands to a stream consumer. */
export function toLambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const d = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime
        ? Math.floor(new Date(d.ApproximateCreationDateTime).getTime() / 1000)
        : undefined,
      Keys: d.Keys as never,
      NewImage: d.NewImage as never,
      OldImage: d.OldImage as never,
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as never,
    },
  };
}

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const file = join(
    options.dataDir,
    options.consumer === 'notify' ? 'stream-checkpoints.json' : `stream-checkpoints-${options.consumer}.json`,
  );
  let checkpoints: Checkpoints = { streamArn: null, shards: {} };
  try {
    checkpoints = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // First start.
  }
  // Lanes finish in any order: one write of the file at a time, each with the checkpoints as they are then.
  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    saving = saving
      .then(async () => {
        await writeFile(`${file}.tmp`, JSON.stringify(checkpoints));
        await rename(`${file}.tmp`, file);
      })
      // The next save writes the checkpoints as they are then; a restart meanwhile redelivers more.
      .catch((error) => console.error('stream poller: checkpoint not saved:', (error as Error).message));
    return saving;
  };

  const region = (await options.dynamodb.config.region()) as string;
  const { Table } = await options.dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${options.tableName} has no stream`);
  const hashKey = Table?.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName ?? 'pk';
  if (checkpoints.streamArn !== streamArn) checkpoints = { streamArn, shards: {} };

  const shards = new Map<string, ShardState>();
  let lastDescribe = 0;
  let isReady = false;
  let stopped = false;
  const retryBase = options.retryBaseMs ?? 1000;
  const laneRules = {
    batchSize: options.batchSize ?? 100,
    batchingWindowMs: options.batchingWindowMs ?? 0,
    retryBaseMs: retryBase,
  };
  const parallelization = Math.max(1, options.parallelization ?? 1);
  const running = new Set<Promise<void>>();
  let wakeUp: (() => void) | undefined;
  /** A batch ended since the loop last looked: it looks again at once. */
  let nudged = false;
  const wake = () => {
    nudged = true;
    wakeUp?.();
  };

  const newLanes = (): Lane[] => Array.from({ length: parallelization }, () => new Lane(laneRules));

  async function describe() {
    let start: string | undefined;
    do {
      const { StreamDescription } = await options.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        const id = shard.ShardId as string;
        if (!shards.has(id) && checkpoints.shards[id] !== 'closed') {
          shards.set(id, {
            shardId: id,
            parentShardId: shard.ParentShardId,
            closed: false,
            readAt: 0,
            full: false,
            readRetryAt: 0,
            readFailures: 0,
            read: [],
            lanes: newLanes(),
            inFlight: 0,
          });
        }
      }
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    lastDescribe = Date.now();
    isReady = true;
  }

  async function iteratorFor(state: ShardState): Promise<string | undefined> {
    const after = state.lastRead ?? checkpoints.shards[state.shardId];
    const { ShardIterator } = await options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: state.shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return ShardIterator;
  }

  /** Moves the checkpoint past every record handled so far, up to the first one that is not. */
  async function advance(state: ShardState) {
    const pending = state.read.findIndex((entry) => !entry.done);
    const handled = pending === -1 ? state.read.length : pending;
    if (handled === 0) return;
    const last = state.read[handled - 1]?.sequence as string;
    state.read.splice(0, handled);
    checkpoints.shards[state.shardId] = last;
    await save();
  }

  /** Hands each lane its next batch once it is due (see `Lane.take`). */
  function dispatch(state: ShardState) {
    if (stopped) return;
    const now = Date.now();
    for (const lane of state.lanes) {
      const batch = lane.take(now, state.closed);
      if (!batch) continue;
      state.inFlight++;
      const run: Promise<void> = handle(state, lane, batch).finally(() => running.delete(run));
      running.add(run);
    }
  }

  async function handle(state: ShardState, lane: Lane, batch: Queued[]) {
    let failedAt: string | undefined;
    try {
      const response = await options.handler({ Records: batch.map((q) => q.record) });
      failedAt = response?.batchItemFailures?.[0]?.itemIdentifier;
    } catch {
      failedAt = batch[0]?.record.dynamodb?.SequenceNumber;
    }
    state.inFlight--;
    if (stopped && options.abandonOnStop) return;
    const failed =
      failedAt === undefined ? -1 : batch.findIndex((q) => q.record.dynamodb?.SequenceNumber === failedAt);
    // An identifier not in the batch fails the whole batch, as Lambda treats it.
    lane.settle(batch, failedAt === undefined ? batch.length : Math.max(0, failed), Date.now());
    await advance(state);
    wake();
  }

  /** Reads on from where the shard's reading stopped: nothing when the read fails. */
  async function read(state: ShardState): Promise<StreamRecord[]> {
    try {
      state.iterator ??= await iteratorFor(state);
      if (!state.iterator) return [];
      // As many as one read returns: most records may not match the filter (access checks).
      const result = await options.streams.send(
        new GetRecordsCommand({ ShardIterator: state.iterator, Limit: STREAM_READ_LIMIT }),
      );
      state.readFailures = 0;
      if (result.NextShardIterator) state.iterator = result.NextShardIterator;
      else state.closed = true;
      return result.Records ?? [];
    } catch (error) {
      // The next read takes a new iterator after the last record read: what was read stays on
      // its lanes, and an iterator that merely expired is replaced at once.
      state.iterator = undefined;
      if ((error as Error).name !== 'ExpiredIteratorException') {
        console.error('stream poller:', (error as Error).message);
        state.readRetryAt = Date.now() + retryDelayMs(retryBase, ++state.readFailures);
      }
      return [];
    }
  }

  /**
   * Like the event source mapping's filter: records that do not match are passed over, and the
   * handler gets batches of at most `batchSize` matching records, in order (per lane).
   */
  function enqueue(state: ShardState, records: StreamRecord[]) {
    const now = Date.now();
    state.readAt = now;
    state.full = records.length >= STREAM_READ_LIMIT;
    for (const record of records) {
      const sequence = record.dynamodb?.SequenceNumber as string;
      state.lastRead = sequence;
      const lambdaRecord = toLambdaRecord(record, streamArn as string, region);
      const last = state.read.at(-1);
      if (!(options.filter?.(lambdaRecord) ?? true)) {
        // One entry for a run of records already done: behind a failing lane, the many records
        // this consumer passes over do not fill the read-ahead.
        if (last?.done) last.sequence = sequence;
        else state.read.push({ sequence, done: true });
        continue;
      }
      const entry: Entry = { sequence, done: false };
      state.read.push(entry);
      state.lanes[laneOf(lambdaRecord, hashKey, parallelization)]?.push({
        record: lambdaRecord,
        entry,
        readAt: now,
      });
    }
  }

  /**
   * Reads the shard on (every `pollMs`, as Lambda polls a shard a few times a second, at once
   * after a full read) and hands out what it read; true when more is waiting to be read.
   */
  async function pollShard(state: ShardState): Promise<boolean> {
    if (state.parentShardId && shards.has(state.parentShardId)) return false; // parent first
    let records: StreamRecord[] = [];
    const now = Date.now();
    const due = now >= state.readRetryAt && (state.full || now - state.readAt >= (options.pollMs ?? 200));
    if (due && !state.closed && state.read.length < (options.readAheadMax ?? READ_AHEAD_MAX)) {
      records = await read(state);
      enqueue(state, records);
    }
    dispatch(state);
    await advance(state);
    if (state.closed && state.read.length === 0 && state.inFlight === 0) {
      checkpoints.shards[state.shardId] = 'closed';
      shards.delete(state.shardId);
      await save();
    }
    // Only a read made now that came back full: with nothing read (the read-ahead full, the
    // shard ended) the loop waits, or it would go round without ever letting I/O in.
    return records.length >= STREAM_READ_LIMIT;
  }

  await describe();
  const loop = (async () => {
    while (!stopped) {
      let behind = false;
      nudged = false;
      try {
        if (Date.now() - lastDescribe > 2000) await describe();
        for (const state of [...shards.values()]) {
          if (stopped) break;
          if (await pollShard(state)) behind = true;
        }
      } catch (error) {
        console.error('stream poller:', (error as Error).message);
      }
      // After a full read, read on at once, batches in flight or not; a batch that ends wakes
      // the loop to hand out the next.
      if (!behind && !nudged && !stopped)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.pollMs ?? 200);
          wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      wakeUp = undefined;
    }
    if (!options.abandonOnStop) while (running.size > 0) await Promise.all([...running]);
    await saving;
  })();
  return {
    ready: () => isReady && !stopped,
    stop: async () => {
      stopped = true;
      wake();
      if (!options.abandonOnStop) await loop;
    },
  };
}
