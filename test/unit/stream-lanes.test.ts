import { describe, expect, it } from 'vitest';
import { Lane, type Queued, retryDelayMs } from '../../local/stream-lanes.ts';

const rules = { batchSize: 2, batchingWindowMs: 0, retryBaseMs: 100 };
const queued = (sequence: string, readAt = 0): Queued => ({
  record: { dynamodb: { SequenceNumber: sequence } },
  entry: { sequence, done: false },
  readAt,
});
const sequences = (batch: Queued[] | undefined) => batch?.map((q) => q.entry.sequence);

function laneWith(...records: Queued[]): Lane {
  const lane = new Lane(rules);
  for (const q of records) lane.push(q);
  return lane;
}

describe('a lane of the local stream poller', () => {
  it('hands out one batch at a time, in order', () => {
    const lane = laneWith(queued('1'), queued('2'), queued('3'));
    const first = lane.take(0, false);
    expect(sequences(first)).toEqual(['1', '2']);
    expect(lane.take(0, false)).toBeUndefined();
    lane.settle(first as Queued[], 2, 0);
    expect(first?.every((q) => q.entry.done)).toBe(true);
    expect(sequences(lane.take(0, false))).toEqual(['3']);
  });

  it('gives a failed batch again from the failed record on, before later records, once its backoff has passed', () => {
    const lane = laneWith(queued('1'), queued('2'), queued('3'));
    const batch = lane.take(1_000, false) as Queued[];
    lane.settle(batch, 1, 1_000);
    expect(batch.map((q) => q.entry.done)).toEqual([true, false]);
    expect(lane.take(1_099, false)).toBeUndefined();
    expect(sequences(lane.take(1_100, false))).toEqual(['2', '3']);
  });

  it('waits twice as long after each failure in a row, at most 30 s', () => {
    const lane = laneWith(queued('1'), queued('2'));
    let now = 0;
    let batch = lane.take(now, false) as Queued[];
    const waits: number[] = [];
    for (let failure = 0; failure < 12; failure++) {
      lane.settle(batch, 0, now);
      const failedAt = now;
      let next = lane.take(now, false);
      while (!next && now - failedAt <= 60_000) {
        now += 50;
        next = lane.take(now, false);
      }
      expect(sequences(next)).toEqual(['1', '2']);
      waits.push(now - failedAt);
      batch = next as Queued[];
    }
    expect(waits.slice(0, 5)).toEqual([100, 200, 400, 800, 1_600]);
    expect(Math.max(...waits)).toBe(30_000);
    expect(waits.at(-1)).toBe(30_000);
  });

  it('counts failures in a row only: after a success the next failure waits the base time again', () => {
    const lane = laneWith(queued('1'), queued('2'), queued('3'));
    lane.settle(lane.take(0, false) as Queued[], 0, 0);
    lane.settle(lane.take(100, false) as Queued[], 0, 100);
    expect(lane.take(299, false)).toBeUndefined();
    const batch = lane.take(300, false) as Queued[];
    lane.settle(batch, batch.length, 300);
    lane.settle(lane.take(300, false) as Queued[], 0, 300);
    expect(lane.take(399, false)).toBeUndefined();
    expect(sequences(lane.take(400, false))).toEqual(['3']);
  });

  it('lets records gather for the batching window unless the batch is full or the shard has ended', () => {
    const lane = new Lane({ ...rules, batchingWindowMs: 500 });
    lane.push(queued('1', 1_000));
    expect(lane.take(1_499, false)).toBeUndefined();
    expect(sequences(lane.take(1_499, true))).toEqual(['1']);
    const full = new Lane({ ...rules, batchingWindowMs: 500 });
    full.push(queued('1', 1_000));
    full.push(queued('2', 1_000));
    expect(sequences(full.take(1_000, false))).toEqual(['1', '2']);
  });

  it('computes the poller’s backoff: doubling from the base, capped at 30 s', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(1_000, n))).toEqual([1_000, 2_000, 4_000]);
    expect(retryDelayMs(1_000, 20)).toBe(30_000);
  });
});
