import type { WakeUpSlots } from '../retry-wake-ups.ts';
import type { Table } from './table.ts';
import { TTL_ATTRIBUTE } from './table-definition.ts';

const PARTITION = 'WAKE-UP';
/** A slot's mark is kept a day after it (DynamoDB's TTL removes it). */
const KEPT_SECONDS = 24 * 3600;
/** How long a sender holds a slot while it asks the Scheduler: one that died asking is taken over after it. */
const LEASE_MS = 10_000;

/**
 * The retry driver's planned wake-ups on the table, `WAKE-UP` / `<slot>`: the sender holding a
 * slot's lease asks for its schedule; once made no one asks again. Only puts and updates: the
 * senders may delete nothing.
 */
export class DynamoWakeUpSlots implements WakeUpSlots {
  constructor(private readonly table: Table) {}

  claim(slot: Date, now: Date): Promise<boolean> {
    return this.table.writeIf({
      Put: {
        Item: {
          pk: PARTITION,
          sk: slot.toISOString(),
          kind: 'wake-up',
          leaseUntil: new Date(now.getTime() + LEASE_MS).toISOString(),
          [TTL_ATTRIBUTE]: Math.floor(slot.getTime() / 1000) + KEPT_SECONDS,
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR (attribute_not_exists(madeAt) AND leaseUntil < :now)',
        ExpressionAttributeValues: { ':now': now.toISOString() },
      },
    });
  }

  async made(slot: Date, now: Date): Promise<void> {
    await this.table.writeIf({
      Update: {
        Key: { pk: PARTITION, sk: slot.toISOString() },
        UpdateExpression: 'SET madeAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': now.toISOString() },
      },
    });
  }

  async release(slot: Date): Promise<void> {
    await this.table.writeIf({
      Update: {
        Key: { pk: PARTITION, sk: slot.toISOString() },
        UpdateExpression: 'SET leaseUntil = :lapsed',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(madeAt)',
        ExpressionAttributeValues: { ':lapsed': new Date(0).toISOString() },
      },
    });
  }
}
