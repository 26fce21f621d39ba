import { describe, expect, it } from 'vitest';
import {
  changeGrantDeadline,
  createGrant,
  expireGrant,
  getGrant,
  listGrants,
  revokeGrant,
  sweepOverdueGrants,
} from '../../functions/use-cases/grants.ts';
import { checkAccess, listActiveGrants, listAudit } from '../../functions/use-cases/support.ts';
import { givenActiveGrant, seedContact, testDeps } from '../support/deps.ts';
import { recordChecksFromStream } from '../support/stream.ts';

async function eventsOf(deps: Awaited<ReturnType<typeof testDeps>>['deps'], tenantId: string) {
  return (await listAudit(deps, tenantId, { limit: 100 })).items;
}

describe('grant lifecycle on DynamoDB Local', () => {
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

  it('answers access by effective status: yes before the deadline, no from the deadline millisecond', async () => {
    const t = await givenActiveGrant();
    const { deps, clock, grant } = t;
    clock.set(new Date(Date.parse(grant.expiresAt) - 1));
    expect((await checkAccess(deps, 'acme', 'agent@vendor.test')).access).toBe(true);
    clock.set(grant.expiresAt);
    const answer = await checkAccess(deps, 'acme', 'agent@vendor.test');
    expect(answer).toMatchObject({ access: false, grant: null, checkedAt: grant.expiresAt });
    // Not yet ended by a job, but every read says expired.
    expect(await getGrant(deps, 'acme', grant.grantId, clock.now())).toMatchObject({
      status: 'expired',
      endedBy: 'system',
      endedAt: grant.expiresAt,
    });
    expect((await listActiveGrants(deps, { limit: 50 }, clock.now())).items).toEqual([]);
    // Each check's stamp becomes its audit event, exactly once however often the stream is read.
    expect(await recordChecksFromStream(t)).toBe(2);
    expect(await recordChecksFromStream(t)).toBe(0);
    const checks = (await eventsOf(deps, 'acme')).filter((e) => e.type === 'access.checked');
    expect(checks.map((e) => e.details.access)).toEqual([false, true]);
    expect(checks.map((e) => e.details.checkedAt)).toEqual([
      grant.expiresAt,
      new Date(Date.parse(grant.expiresAt) - 1).toISOString(),
    ]);
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
    const { deps, clock } = await testDeps();
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
    const { deps, clock, scheduler } = await testDeps();
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
    const { deps, clock, scheduler } = await testDeps();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    scheduler.failWith = Object.assign(new Error('down'), { name: 'ThrottlingException' });
    const { grant } = await createGrant(
      deps,
      'acme',
      ada,
      { reason: 'r', durationSeconds: 300 },
      clock.now(),
    );
    expect(await getGrant(deps, 'acme', grant.grantId, clock.now())).toMatchObject({ status: 'active' });
    clock.advance(300_000);
    scheduler.failWith = null;
    expect((await sweepOverdueGrants(deps)).expired).toBe(1);
  });

  it('lists grants newest first with filters and pages', async () => {
    const { deps, clock } = await testDeps();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { grant } = await createGrant(
        deps,
        'acme',
        ada,
        { reason: `r${i}`, durationSeconds: 600 },
        clock.now(),
      );
      created.push(grant.grantId);
      clock.advance(1000);
      if (i < 4) await revokeGrant(deps, 'acme', grant.grantId, ada, clock.now());
      clock.advance(1000);
    }
    const newestFirst = [...created].reverse();
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await listGrants(deps, 'acme', { limit: 2, cursor }, undefined, clock.now());
      pages.push(page.items.map((g) => g.grantId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);

    const active = await listGrants(deps, 'acme', { limit: 10 }, 'active', clock.now());
    expect(active.items.map((g) => g.grantId)).toEqual([created[4]]);
    const ended = await listGrants(deps, 'acme', { limit: 3 }, 'ended', clock.now());
    expect(ended.items.map((g) => g.grantId)).toEqual(newestFirst.slice(1, 4));
    const rest = await listGrants(
      deps,
      'acme',
      { limit: 3, cursor: ended.nextCursor ?? '' },
      'ended',
      clock.now(),
    );
    expect(rest).toEqual({ items: [expect.objectContaining({ grantId: created[0] })], nextCursor: null });
  });

  it('rejects a cursor from another tenant or list as validation-failed', async () => {
    const { deps, clock } = await testDeps();
    for (const tenant of ['acme', 'globex']) {
      const contact = await seedContact(deps, tenant, `c@${tenant}.test`);
      for (let i = 0; i < 3; i++) {
        const { grant } = await createGrant(
          deps,
          tenant,
          contact,
          { reason: 'r', durationSeconds: 600 },
          clock.now(),
        );
        await revokeGrant(deps, tenant, grant.grantId, contact, clock.now());
      }
    }
    const globexPage = await listGrants(deps, 'globex', { limit: 1 }, undefined, clock.now());
    const foreign = globexPage.nextCursor as string;
    await expect(
      listGrants(deps, 'acme', { limit: 1, cursor: foreign }, undefined, clock.now()),
    ).rejects.toMatchObject({
      code: 'validation-failed',
    });
    await expect(listAudit(deps, 'globex', { limit: 1, cursor: foreign })).rejects.toMatchObject({
      code: 'validation-failed',
    });
    const forged = Buffer.from(JSON.stringify({ pk: 'TENANT#globex', sk: 'GRANT#' })).toString('base64url');
    await expect(
      listGrants(deps, 'acme', { limit: 1, cursor: forged }, undefined, clock.now()),
    ).rejects.toMatchObject({
      code: 'validation-failed',
    });
  });

  it('lists active grants across tenants, soonest deadline first, in pages', async () => {
    const { deps, clock } = await testDeps();
    const durations = [900, 300, 600, 1200];
    for (const [i, seconds] of durations.entries()) {
      const contact = await seedContact(deps, `tenant-${i}`, `c@t${i}.test`);
      await createGrant(deps, `tenant-${i}`, contact, { reason: 'r', durationSeconds: seconds }, clock.now());
    }
    const first = await listActiveGrants(deps, { limit: 3 }, clock.now());
    expect(first.items.map((g) => g.tenantId)).toEqual(['tenant-1', 'tenant-2', 'tenant-0']);
    const second = await listActiveGrants(
      deps,
      { limit: 3, cursor: first.nextCursor as string },
      clock.now(),
    );
    expect(second).toEqual({ items: [expect.objectContaining({ tenantId: 'tenant-3' })], nextCursor: null });
  });
});
