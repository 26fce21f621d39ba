import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

/**
 * Reads the table's stream from DynamoDB Local and invokes the notifier exactly as Lambda's
 * event source mapping would: batches in order per shard, a reported failure (or a thrown
 * error) redelivers from that record after a backoff, progress checkpointed under the data
 * folder so a restart resumes where it stopped.
 */
/** Records one GetRecords call may return (the DynamoDB Streams maximum). */
const STREAM_READ_LIMIT = 1000;

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
   * Stop without waiting for the batch in flight (it is not checkpointed, so the next start
   * delivers it again): for a consumer whose handler may wait long and is safe to repeat.
   */
  abandonOnStop?: boolean;
  /** Matching records per handler invocation (the event source mapping's batch size; 100). */
  batchSize?: number;
  /**
   * How long matching records gather before the handler gets them, unless a batch fills first
   * (the event source mapping's batching window; 0: at once).
   */
  batchingWindowMs?: number;
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
  retryAt: number;
  failures: number;
  /** Records read but not yet handed over (a batching window open), and when the first matching one came. */
  read: StreamRecord[];
  matching: DynamoDBRecord[];
  since: number;
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
  const save = async () => {
    await writeFile(`${file}.tmp`, JSON.stringify(checkpoints));
    await rename(`${file}.tmp`, file);
  };

  const region = (await options.dynamodb.config.region()) as string;
  const { Table } = await options.dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${options.tableName} has no stream`);
  if (checkpoints.streamArn !== streamArn) checkpoints = { streamArn, shards: {} };

  const shards = new Map<string, ShardState>();
  let lastDescribe = 0;
  let isReady = false;
  let stopped = false;
  const retryBase = options.retryBaseMs ?? 1000;

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
            retryAt: 0,
            failures: 0,
            read: [],
            matching: [],
            since: 0,
          });
        }
      }
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    lastDescribe = Date.now();
    isReady = true;
  }

  async function iteratorFor(state: ShardState): Promise<string | undefined> {
    const after = checkpoints.shards[state.shardId];
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

  /** Reads again from the checkpoint: what was read after it is read anew. */
  function rewind(state: ShardState) {
    state.iterator = undefined;
    state.read = [];
    state.matching = [];
  }

  function backoff(state: ShardState) {
    state.failures++;
    rewind(state);
    state.retryAt = Date.now() + Math.min(retryBase * 2 ** (state.failures - 1), 30_000);
  }

  /** Reads the shard on; true when it read records (the loop then goes on without a pause). */
  async function pollShard(state: ShardState): Promise<boolean> {
    if (state.retryAt > Date.now()) return false;
    if (state.parentShardId && shards.has(state.parentShardId)) return false; // parent first
    state.iterator ??= await iteratorFor(state);
    if (!state.iterator) return false;
    let result: GetRecordsCommandOutput;
    try {
      // As many as one read returns: most records may not match the filter (access checks).
      result = await options.streams.send(
        new GetRecordsCommand({ ShardIterator: state.iterator, Limit: STREAM_READ_LIMIT }),
      );
    } catch (error) {
      if ((error as Error).name === 'ExpiredIteratorException') {
        rewind(state);
        return false;
      }
      throw error;
    }
    const records = result.Records ?? [];
    // Like the event source mapping's filter: records that do not match are passed over, and
    // the handler gets batches of at most `batchSize` matching records, in order.
    const matching = records
      .map((r) => toLambdaRecord(r, streamArn as string, region))
      .filter((r) => options.filter?.(r) ?? true);
    if (state.matching.length === 0 && matching.length > 0) state.since = Date.now();
    state.read.push(...records);
    state.matching.push(...matching);
    const size = options.batchSize ?? 100;
    const closed = !result.NextShardIterator;
    const due =
      state.matching.length >= size || Date.now() - state.since >= (options.batchingWindowMs ?? 0) || closed;
    if (state.read.length > 0 && (state.matching.length === 0 || due)) {
      const read = state.read;
      const delivered = state.matching;
      let failedAt: string | undefined;
      for (let start = 0; start < delivered.length && failedAt === undefined; start += size) {
        if (stopped && options.abandonOnStop) return false;
        const batch = delivered.slice(start, start + size);
        try {
          const response = await options.handler({ Records: batch });
          failedAt = response?.batchItemFailures?.[0]?.itemIdentifier;
        } catch {
          failedAt = batch[0]?.dynamodb?.SequenceNumber;
        }
        if (stopped && options.abandonOnStop) return false;
      }
      const done =
        failedAt === undefined
          ? read
          : read.slice(
              0,
              read.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt),
            );
      const last = done.at(-1)?.dynamodb?.SequenceNumber;
      if (last) {
        checkpoints.shards[state.shardId] = last;
        await save();
      }
      if (failedAt !== undefined) {
        backoff(state);
        return false;
      }
      state.failures = 0;
      state.read = [];
      state.matching = [];
    }
    if (!closed) state.iterator = result.NextShardIterator;
    else if (state.read.length === 0) {
      checkpoints.shards[state.shardId] = 'closed';
      shards.delete(state.shardId);
      await save();
    }
    return records.length > 0;
  }

  await describe();
  let behind = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        if (Date.now() - lastDescribe > 2000) await describe();
        behind = false;
        for (const state of [...shards.values()]) {
          if (stopped) break;
          try {
            if (await pollShard(state)) behind = true;
          } catch (error) {
            console.error('stream poller:', (error as Error).message);
            backoff(state);
          }
        }
      } catch (error) {
        console.error('stream poller:', (error as Error).message);
      }
      // While records keep coming, read on at once (as the event source mapping does).
      if (!behind) await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
    }
  })();
  return {
    ready: () => isReady && !stopped,
    stop: async () => {
      stopped = true;
      if (!options.abandonOnStop) await loop;
    },
  };
}
