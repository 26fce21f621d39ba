import { IdempotencyRaceError } from '../../domain/errors.ts';
import type { IdempotencyClaim, IdempotencyRecord, IdempotencyStore } from '../../domain/ports.ts';
import { keys } from './keys.ts';
import { type GuardedItem, guarded, type Table } from './table.ts';
import { TTL_ATTRIBUTE } from './table-definition.ts';

/** The records of requests made with an idempotency key, written with the grant they created. */
export class DynamoIdempotency implements IdempotencyStore {
  constructor(private readonly table: Table) {}

  async getIdempotency(scope: string, now: Date): Promise<IdempotencyRecord | null> {
    const item = await this.table.getItem(keys.idempotency(scope), keys.idempotencySort);
    // TTL deletion lags; an expired record counts as absent.
    const expires = item?.[TTL_ATTRIBUTE];
    if (!item || (typeof expires === 'number' && expires * 1000 <= now.getTime())) return null;
    const { requestHash, statusCode, body } = item;
    if (typeof requestHash !== 'string' || typeof statusCode !== 'number' || typeof body !== 'string')
      throw new Error(`The idempotency record ${scope} is malformed.`);
    return { requestHash, statusCode, body };
  }
}

/** Claims the key in the transaction that makes what it answers; a key claimed first is a lost race. */
export function claimIdempotency(table: Table, claim: IdempotencyClaim): GuardedItem {
  return guarded(
    {
      Put: {
        TableName: table.name,
        Item: {
          pk: keys.idempotency(claim.scope),
          sk: keys.idempotencySort,
          kind: 'idempotency',
          requestHash: claim.requestHash,
          statusCode: claim.statusCode,
          body: claim.body,
          [TTL_ATTRIBUTE]: claim.expiresAtEpochSeconds,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    () => new IdempotencyRaceError(),
  );
}
