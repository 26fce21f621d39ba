import { describe, expect, it } from 'vitest';
import {
  changeGrantDeadline,
  remindGrant,
  revokeGrant,
  sweepDueReminders,
} from '../../../functions/use-cases/grants.ts';
import { givenActiveGrant } from '../../support/fakes/deps.ts';
import { expiringEvents } from '../../support/scenarios.ts';

const DAY = 86_400;

describe('the reminder before the deadline (use cases over the in-memory stores, fake clock)', () => {
  it('is scheduled with the grant, written once when due, and found by the sweep only while due', async () => {
    const { deps, clock, scheduler, grant } = await givenActiveGrant({ seconds: 3 * DAY });
    expect(scheduler.calls).toEqual([
      {
        action: 'schedule',
        grantId: grant.grantId,
        expiresAt: '2026-12-04T10:00:00.000Z',
        remindAt: '2026-12-03T10:00:00.000Z',
      },
    ]);
    expect((await remindGrant(deps, 'acme', grant.grantId)).outcome).toBe('not-due');
    expect(await sweepDueReminders(deps)).toEqual({ reminded: 0, more: false });

    clock.set(new Date('2026-12-03T10:00:00.000Z'));
    expect((await remindGrant(deps, 'acme', grant.grantId)).outcome).toBe('reminded');
    expect((await remindGrant(deps, 'acme', grant.grantId)).outcome).toBe('none-pending');
    expect(await sweepDueReminders(deps)).toEqual({ reminded: 0, more: false });
    const [expiring, ...more] = await expiringEvents(deps);
    expect(more).toEqual([]);
    expect(expiring).toMatchObject({
      actor: 'system',
      grantId: grant.grantId,
      details: { expiresAt: grant.expiresAt, remindAt: '2026-12-03T10:00:00.000Z', reason: 'r' },
    });
  });

  it('moves with the deadline: a new deadline gets its own reminder, one nearer than the lead none', async () => {
    const { deps, clock, scheduler, ada, grant } = await givenActiveGrant({ seconds: 3 * DAY });
    clock.set(new Date('2026-12-03T10:00:00.000Z'));
    await remindGrant(deps, 'acme', grant.grantId);
    // Extended by a week after the reminder: the new deadline is reminded again, a day before.
    await changeGrantDeadline(deps, 'acme', grant.grantId, ada, { durationSeconds: 7 * DAY }, clock.now());
    expect(scheduler.calls.at(-1)).toMatchObject({
      action: 'reschedule',
      remindAt: '2026-12-09T10:00:00.000Z',
    });
    clock.set(new Date('2026-12-09T10:00:00.000Z'));
    expect(await sweepDueReminders(deps)).toEqual({ reminded: 1, more: false });
    // Shortened to within the lead: no reminder is pending, its schedule goes.
    await changeGrantDeadline(deps, 'acme', grant.grantId, ada, { durationSeconds: 3600 }, clock.now());
    expect(scheduler.calls.at(-1)).toMatchObject({ action: 'reschedule', remindAt: null });
    clock.set(new Date('2026-12-09T10:59:00.000Z'));
    expect((await remindGrant(deps, 'acme', grant.grantId)).outcome).toBe('none-pending');
    expect((await expiringEvents(deps)).map((e) => e.details.expiresAt)).toEqual([
      '2026-12-10T10:00:00.000Z',
      '2026-12-04T10:00:00.000Z',
    ]);
  });

  it('is cancelled by ending the grant; a grant shorter than the lead gets none', async () => {
    const { deps, clock, ada, grant } = await givenActiveGrant({ seconds: 3 * DAY });
    await revokeGrant(deps, 'acme', grant.grantId, ada, clock.now());
    clock.set(new Date('2026-12-03T10:00:01.000Z'));
    expect((await remindGrant(deps, 'acme', grant.grantId)).outcome).toBe('not-active');
    expect(await sweepDueReminders(deps)).toEqual({ reminded: 0, more: false });

    const short = await givenActiveGrant({ seconds: DAY - 1 });
    expect(short.scheduler.calls[0]).toMatchObject({ remindAt: null });
    short.clock.set(new Date('2026-12-02T09:59:58.000Z'));
    expect((await remindGrant(short.deps, 'acme', short.grant.grantId)).outcome).toBe('none-pending');
    expect(await expiringEvents(short.deps)).toEqual([]);
  });
});
