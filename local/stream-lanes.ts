import type { DynamoDBRecord } from 'aws-lambda';

/** A record read from the shard and not yet checkpointed: done once its lane handled it (or it did not match). */
export interface Entry {
  sequence: string;
  done: boolean;
}

export interface Queued {
  record: DynamoDBRecord;
  entry: Entry;
  /** When it was read: a lane's batching window opens with its oldest queued record. */
  readAt: number;
}

export interface LaneRules {
  /** Matching records per handler invocation (the event source mapping's batch size). */
  batchSize: number;
  /** How long records gather before a batch goes, unless it fills first (the batching window). */
  batchingWindowMs: number;
  /** The wait after a batch's first failure, doubled after each further one. */
  retryBaseMs: number;
}

/** The longest wait before something that failed is tried again. */
const RETRY_MAX_MS = 30_000;

/** The wait after the `failures`th failure in a row: doubling from `baseMs`, at most 30 s. */
export function retryDelayMs(baseMs: number, failures: number): number {
  return Math.min(baseMs * 2 ** (failures - 1), RETRY_MAX_MS);
}

/** Which of `lanes` a record goes to: always the same one for the same partition key. */
export function laneOf(record: DynamoDBRecord, hashKey: string, lanes: number): number {
  if (lanes <= 1) return 0;
  const key = JSON.stringify(record.dynamodb?.Keys?.[hashKey] ?? null);
  // FNV-1a: cheap and spreads similar keys (`TENANT#a`, `TENANT#b`) apart.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % lanes;
}

/**
 * One of a shard's lanes (the event source mapping's parallelization factor): its records in
 * stream order, one batch at a time. A batch that fails goes back to the front of its own lane
 * and is given again after a backoff, from the failed record on; the other lanes do not wait for
 * it, and what they handled is never given again (the shard's checkpoint waits for it instead).
 */
export class Lane {
  private readonly queue: Queued[] = [];
  private busy = false;
  private failures = 0;
  private retryAt = 0;

  constructor(private readonly rules: LaneRules) {}

  push(queued: Queued): void {
    this.queue.push(queued);
  }

  /**
   * The lane's next batch, once it is idle, out of its backoff, and the batch is full, its window
   * has passed or the shard has ended; the lane is busy until the batch is settled.
   */
  take(now: number, shardEnded: boolean): Queued[] | undefined {
    const oldest = this.queue[0];
    if (this.busy || !oldest || now < this.retryAt) return undefined;
    const due =
      this.queue.length >= this.rules.batchSize ||
      now - oldest.readAt >= this.rules.batchingWindowMs ||
      shardEnded;
    if (!due) return undefined;
    this.busy = true;
    return this.queue.splice(0, this.rules.batchSize);
  }

  /**
   * The outcome of the batch `take` gave: its first `handled` records are done; the rest (from the
   * failed record on) come back first, after the backoff.
   */
  settle(batch: Queued[], handled: number, now: number): void {
    this.busy = false;
    for (const queued of batch.slice(0, handled)) queued.entry.done = true;
    if (handled >= batch.length) {
      this.failures = 0;
      this.retryAt = 0;
      return;
    }
    this.queue.unshift(...batch.slice(handled));
    this.retryAt = now + retryDelayMs(this.rules.retryBaseMs, ++this.failures);
  }
}
