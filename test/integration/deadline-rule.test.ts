import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beforeDeadlineCondition, isBeforeDeadline } from '../../functions/domain/grant.ts';
import { freshTable } from '../support/table.ts';

/** Whether DynamoDB lets a write conditioned on the rule through for a grant with this deadline at this instant. */
async function tableSays(t: Awaited<ReturnType<typeof freshTable>>, expiresAt: string, at: Date) {
  const Key = { pk: 'TENANT#acme', sk: `GRANT#${expiresAt}` };
  await t.doc.send(
    new UpdateCommand({
      TableName: t.tableName,
      Key,
      UpdateExpression: 'SET expiresAt = :e',
      ExpressionAttributeValues: { ':e': expiresAt },
    }),
  );
  try {
    await t.doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key,
        UpdateExpression: 'SET touched = :yes',
        ConditionExpression: beforeDeadlineCondition.expression,
        ExpressionAttributeValues: { ':yes': true, ...beforeDeadlineCondition.values(at) },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

describe('the deadline rule and the store’s condition say the same (DynamoDB Local)', () => {
  it('at the deadline, a millisecond either side, and across second, day and year boundaries', async () => {
    const t = await freshTable();
    const deadlines = [
      '2026-12-01T10:00:00.000Z',
      '2026-12-31T23:59:59.999Z',
      '2027-01-01T00:00:00.000Z',
      '2026-12-01T10:00:00.500Z',
    ];
    for (const expiresAt of deadlines) {
      const deadline = Date.parse(expiresAt);
      for (const offset of [-86_400_000, -1000, -1, 0, 1, 999, 1000]) {
        const at = new Date(deadline + offset);
        const rule = isBeforeDeadline({ expiresAt }, at);
        expect(rule, `${expiresAt} ${offset}`).toBe(offset < 0);
        expect(await tableSays(t, expiresAt, at), `${expiresAt} at ${offset} ms`).toBe(rule);
      }
    }
  });

  it('for any deadline and instant within centuries', async () => {
    const t = await freshTable();
    const instant = fc.integer({
      min: Date.parse('2000-01-01T00:00:00.000Z'),
      max: Date.parse('2300-01-01T00:00:00.000Z'),
    });
    await fc.assert(
      fc.asyncProperty(
        instant,
        fc.oneof(instant, fc.integer({ min: -2000, max: 2000 })),
        async (deadline, other) => {
          // Half the time the instant lies within two seconds of the deadline.
          const at = new Date(Math.abs(other) <= 2000 ? deadline + other : other);
          const expiresAt = new Date(deadline).toISOString();
          expect(await tableSays(t, expiresAt, at)).toBe(isBeforeDeadline({ expiresAt }, at));
        },
      ),
      { numRuns: 150, seed: 20261206 },
    );
  });
});
