import { createHash } from 'node:crypto';

/** The most shards a sparse index list may be spread over. */
export const MAX_INDEX_SHARDS = 32;

/**
 * Write sharding of the sparse index lists (active grants by deadline, pending reminders): one
 * index partition takes about 1 000 writes a second, so with `ACTIVE_INDEX_SHARDS` = n a
 * tenant's items go to one of n partitions — `ACTIVE`, `ACTIVE#1` … `ACTIVE#<n-1>` — chosen by a
 * hash of its tenant id (stable for the grant's life), and a list reads every shard and merges
 * them by sort key. Shard 0 keeps the unsharded name, so raising n keeps every existing entry
 * readable; lowering it hides the entries of the dropped shards (drain them first).
 */
export class IndexShards {
  static readonly single = new IndexShards(1);

  constructor(readonly count: number) {
    if (!Number.isInteger(count) || count < 1 || count > MAX_INDEX_SHARDS)
      throw new Error(`Invalid configuration: ACTIVE_INDEX_SHARDS must be 1–${MAX_INDEX_SHARDS}`);
  }

  /** The partition of `base` that holds the tenant's entries. */
  partition(base: string, tenantId: string): string {
    if (this.count === 1) return base;
    const shard = createHash('sha256').update(tenantId).digest().readUInt32BE(0) % this.count;
    return shard === 0 ? base : `${base}#${shard}`;
  }

  /** Every partition of `base`, shard 0 first. */
  all(base: string): string[] {
    return Array.from({ length: this.count }, (_, shard) => (shard === 0 ? base : `${base}#${shard}`));
  }
}
