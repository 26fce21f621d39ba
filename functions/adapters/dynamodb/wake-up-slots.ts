import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { WakeUpSlots } from '../retry-wake-ups.ts';
import type { Table } from './table.ts';
import { TTL_ATTRIBUTE } from './table-definition.ts';

const PARTITION = 'WAKE-UP';
/** A slot's mark is kept a day after it (DynamoDB's TTL removes it). */
const KEPT_SECONDS = 24 * 3600;

/**
 * The retry driver's planned wake-ups on the table, `WAKE-UP` / `<slot>`: the first sender to
 * mark a slot makes its schedule, every other one (in any Lambda instance) finds it marked.
 */
export class DynamoWakeUpSlots implements WakeUpSlots {
  constructor(private readonly table: Table) {}

  claim(slot: Date): Promise<boolean> {
    return this.table.writeIf({
      Put: {
        Item: {
          pk: PARTITION,
          sk: slot.toISOString(),
          kind: 'wake-up',
          [TTL_ATTRIBUTE]: Math.floor(slot.getTime() / 1000) + KEPT_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }

  async release(slot: Date): Promise<void> {
    await this.table.doc.send(
      new DeleteCommand({ TableName: this.table.name, Key: { pk: PARTITION, sk: slot.toISOString() } }),
    );
  }
}
