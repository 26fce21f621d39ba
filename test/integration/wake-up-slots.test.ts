import { describe, expect, it } from 'vitest';
import { Table } from '../../functions/adapters/dynamodb/table.ts';
import { DynamoWakeUpSlots } from '../../functions/adapters/dynamodb/wake-up-slots.ts';
import { freshTable } from '../support/table.ts';
import { testCursors } from '../support/use-case-deps.ts';

describe('wake-up slots on the table', () => {
  it('of ten senders marking one slot at once exactly one gets it; taken back, the next ask gets it', async () => {
    const t = await freshTable();
    const slots = new DynamoWakeUpSlots(new Table(t.doc, t.tableName, testCursors()));
    const slot = new Date('2026-12-01T10:00:06.000Z');
    const answers = await Promise.all(Array.from({ length: 10 }, () => slots.claim(slot)));
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await slots.claim(new Date('2026-12-01T10:00:08.000Z'))).toBe(true);
    await slots.release(slot);
    expect(await slots.claim(slot)).toBe(true);
    expect(await slots.claim(slot)).toBe(false);
  });
});
