import { describe, expect, it } from 'vitest';
import {
  changeGrantDeadline,
  createGrant,
  remindGrant,
  revokeGrant,
  sweepDueReminders,
} from '../../functions/use-cases/grants.ts';
import { givenActiveGrant, seedContact } from '../support/deps.ts';
import { expiringEvents } from '../support/scenarios.ts';

const DAY = 86_400;

describe('the reminder before the deadline (DynamoDB Local, fake clock)', () => {
  it('racing itself, the sweep, an extend and a revoke: one reminder or none, never two', async () => {
    for (let round = 0; round < 6; round++) {
      const { deps, clock, ada, grant } = await givenActiveGrant({ seconds: 3 * DAY });
      clock.set(new Date('2026-12-03T10:00:00.500Z'));
      const rival =
        round % 2 === 0
          ? changeGrantDeadline(deps, 'acme', grant.grantId, ada, { durationSeconds: 2 * DAY }, clock.now())
          : revokeGrant(deps, 'acme', grant.grantId, ada, clock.now());
      await Promise.all([
        remindGrant(deps, 'acme', grant.grantId),
        remindGrant(deps, 'acme', grant.grantId),
        sweepDueReminders(deps),
        rival,
      ]);
      const reminded = await expiringEvents(deps);
      expect(reminded.length).toBeLessThanOrEqual(1);
      // Whatever won, nothing is left pending for the old deadline.
      expect((await remindGrant(deps, 'acme', grant.grantId)).outcome).not.toBe('reminded');
    }
  });

  it('the sweep reads only the due reminders, oldest first, however many grants are active', async () => {
    const { deps, clock } = await givenActiveGrant({ seconds: 10 * DAY });
    for (const [tenant, days] of [
      ['t-soon', 2],
      ['t-later', 5],
    ] as const) {
      const c = await seedContact(deps, tenant, `a@${tenant}.test`);
      await createGrant(deps, tenant, c, { reason: 'r', durationSeconds: days * DAY }, clock.now());
    }
    clock.set(new Date('2026-12-02T10:00:00.000Z'));
    const due = await deps.grants.listDueReminders(clock.now(), { limit: 10 });
    expect(due.items.map((d) => d.tenantId)).toEqual(['t-soon']);
    expect(await sweepDueReminders(deps)).toEqual({ reminded: 1, more: false });
    expect((await deps.grants.listDueReminders(clock.now(), { limit: 10 })).items).toEqual([]);
  });
});
