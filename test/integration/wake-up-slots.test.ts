import { describe, expect, it } from 'vitest';
import { Table } from '../../functions/adapters/dynamodb/table.ts';
import { DynamoWakeUpSlots } from '../../functions/adapters/dynamodb/wake-up-slots.ts';
import { freshTable } from '../support/table.ts';
import { testCursors } from '../support/use-case-deps.ts';

const at = (seconds: number) => new Date(Date.parse('2026-12-01T10:00:00.000Z') + seconds * 1000);

describe('wake-up slots on the table', () => {
  it('of ten senders claiming one slot at once exactly one holds it; given back, the next claim gets it; made, no one again', async () => {
    const t = await freshTable();
    const slots = new DynamoWakeUpSlots(new Table(t.doc, t.tableName, testCursors()));
    const slot = at(6);
    const answers = await Promise.all(Array.from({ length: 10 }, () => slots.claim(slot, at(0))));
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await slots.claim(at(8), at(0))).toBe(true);
    await slots.release(slot);
    expect(await slots.claim(slot, at(0))).toBe(true);
    expect(await slots.claim(slot, at(1))).toBe(false);
    // A sender that died holding it: taken over once the lease lapsed.
    expect(await slots.claim(slot, at(11))).toBe(true);
    await slots.made(slot, at(11));
    await slots.release(slot);
    expect(await slots.claim(slot, at(60))).toBe(false);
  });
});
