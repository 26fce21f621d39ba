import { describe, expect, it } from 'vitest';
import {
  changeGrantDeadline,
  createGrant,
  expireGrant,
  getGrant,
  revokeGrant,
  sweepOverdueGrants,
} from '../../../functions/use-cases/grants.ts';
import { listAudit } from '../../../functions/use-cases/support.ts';
import { fakeDeps, givenActiveGrant } from '../../support/fakes/deps.ts';
import { grantFrom, seedContact } from '../../support/use-case-deps.ts';

async function eventsOf(deps: ReturnType<typeof fakeDeps>['deps'], tenantId: string) {
  return (await listAudit(deps, tenantId, { limit: 100 })).items;
}

describe('the grant lifecycle (use cases over the in-memory stores)', () => {
  it('creates, extends, revokes with one audit event per change and matching schedule calls', async () => {
    const { deps, clock, scheduler, ada, grant } = await givenActiveGrant({
      seconds: 3600,
      reason: ' debug login ',
    });
    expect(grant).toMatchObject({
      tenantId: 'acme',
      status: 'active',
      reason: 'debug login',
      ticket: null,
      expiresAt: '2026-12-01T11:00:00.000Z',
      grantedBy: { contactId: ada.contactId, email: 'ada@acme.test' },
    });
    expect(grant).not.toHaveProperty('version');

    clock.advance(60_000);
    const extended = await changeGrantDeadline(
      deps,
      'acme',
      grant.grantId,
      ada,
      { durationSeconds: 7200 },
      clock.now(),
    );
    expect(extended.expiresAt).toBe('2026-12-01T12:01:00.000Z');

    clock.advance(60_000);
    const revoked = await revokeGrant(deps, 'acme', grant.grantId, ada, clock.now());
    expect(revoked).toMatchObject({ status: 'revoked', endedBy: 'ada@acme.test', endReason: 'revoked' });
    // Revoking again changes nothing.
    clock.advance(1000);
    expect(await revokeGrant(deps, 'acme', grant.grantId, ada, clock.now())).toEqual(revoked);

    const types = (await eventsOf(deps, 'acme')).map((e) => e.type);
    expect(types).toEqual(['grant.revoked', 'grant.extended', 'grant.created', 'contact.added']);
    expect(scheduler.calls.map((c) => c.action)).toEqual(['schedule', 'reschedule', 'unschedule']);
    expect(scheduler.calls[1]?.expiresAt).toBe('2026-12-01T12:01:00.000Z');
  });

  it('refuses a second active grant and names the active one', async () => {
    const { deps, clock, ada, grant } = await givenActiveGrant({ seconds: 600 });
    await expect(
      createGrant(deps, 'acme', ada, { reason: 'r2', durationSeconds: 600 }, clock.now()),
    ).rejects.toMatchObject({
      code: 'grant-already-active',
      activeGrantId: grant.grantId,
    });
  });

  it('lets a new grant replace one that is past its deadline but not yet ended', async () => {
    const { deps, clock } = fakeDeps();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    const first = (await createGrant(deps, 'acme', ada, { reason: 'r', durationSeconds: 300 }, clock.now()))
      .grant;
    clock.advance(300_000);
    const second = (await createGrant(deps, 'acme', ada, { reason: 'r2', durationSeconds: 300 }, clock.now()))
      .grant;
    expect(second.grantId).not.toBe(first.grantId);
    expect(await getGrant(deps, 'acme', first.grantId, clock.now())).toMatchObject({ status: 'expired' });
    const types = (await eventsOf(deps, 'acme')).map((e) => e.type);
    expect(types.filter((t) => t === 'grant.expired')).toHaveLength(1);
  });

  it('refuses to change an ended grant', async () => {
    const { deps, clock, ada, grant } = await givenActiveGrant();
    clock.advance(300_000);
    await expect(
      changeGrantDeadline(deps, 'acme', grant.grantId, ada, { durationSeconds: 600 }, clock.now()),
    ).rejects.toMatchObject({ code: 'grant-not-active' });
  });

  it('expiry is a no-op when early, stale, duplicate or for an ended grant', async () => {
    const { deps, clock, ada, grant } = await givenActiveGrant();
    expect((await expireGrant(deps, 'acme', grant.grantId)).outcome).toBe('not-due');
    clock.advance(200_000);
    await changeGrantDeadline(deps, 'acme', grant.grantId, ada, { durationSeconds: 600 }, clock.now());
    clock.advance(100_000); // the original deadline: a stale invocation
    expect((await expireGrant(deps, 'acme', grant.grantId)).outcome).toBe('not-due');
    clock.advance(500_000);
    const first = await expireGrant(deps, 'acme', grant.grantId);
    expect(first).toMatchObject({ outcome: 'expired', lateByMs: 0 });
    expect((await expireGrant(deps, 'acme', grant.grantId)).outcome).toBe('already-ended');
    expect((await expireGrant(deps, 'acme', 'missing')).outcome).toBe('not-found');
    const expiredEvents = (await eventsOf(deps, 'acme')).filter((e) => e.type === 'grant.expired');
    expect(expiredEvents).toHaveLength(1);
    expect(await getGrant(deps, 'acme', grant.grantId, clock.now())).toMatchObject({
      status: 'expired',
      endedAt: '2026-12-01T10:13:20.000Z',
      endedBy: 'system',
      endReason: 'expired',
    });
  });

  it('sweeps every overdue grant across tenants, and only those', async () => {
    const { deps, clock, scheduler } = fakeDeps();
    const tenants = ['t1', 't2', 't3'];
    const ids: string[] = [];
    for (const [i, tenant] of tenants.entries()) {
      const contact = await seedContact(deps, tenant, `c@${tenant}.test`);
      const { grant } = await createGrant(
        deps,
        tenant,
        contact,
        { reason: 'r', durationSeconds: 300 + i * 300 },
        clock.now(),
      );
      ids.push(grant.grantId);
    }
    clock.advance(600_000);
    const result = await sweepOverdueGrants(deps);
    expect(result).toEqual({ examined: 2, expired: 2, missed: 1, more: false });
    expect(await getGrant(deps, 't3', ids[2] as string, clock.now())).toMatchObject({ status: 'active' });
    expect(scheduler.calls.filter((c) => c.action === 'unschedule')).toHaveLength(2);
    expect((await sweepOverdueGrants(deps)).expired).toBe(0);
  });

  it('keeps the grant when the Scheduler fails: the request succeeds and the sweep ends it', async () => {
    const t = fakeDeps();
    const { deps, clock, scheduler } = t;
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    scheduler.failWith = Object.assign(new Error('down'), { name: 'ThrottlingException' });
    const grant = await grantFrom(t, ada);
    expect(await getGrant(deps, 'acme', grant.grantId, clock.now())).toMatchObject({ status: 'active' });
    clock.advance(300_000);
    scheduler.failWith = null;
    expect((await sweepOverdueGrants(deps)).expired).toBe(1);
  });
});
