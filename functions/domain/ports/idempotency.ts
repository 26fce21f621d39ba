export interface IdempotencyRecord {
  requestHash: string;
  statusCode: number;
  body: string;
}

export interface IdempotencyClaim extends IdempotencyRecord {
  /** Caller-scoped key: the same key from two callers never collides. */
  scope: string;
  /** Kept at least this long (epoch seconds); DynamoDB TTL removes it later. */
  expiresAtEpochSeconds: number;
}

/** The answers of requests made with an idempotency key (claimed with the grant they created). */
export interface IdempotencyStore {
  /** The record of `scope`, unless it has expired by `now`. */
  getIdempotency(scope: string, now: Date): Promise<IdempotencyRecord | null>;
}
