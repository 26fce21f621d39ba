import { describe, expect, it } from 'vitest';
import { createGrant, getGrant, listGrants, revokeGrant } from '../../functions/use-cases/grants.ts';
import { checkAccess, listActiveGrants, listAudit } from '../../functions/use-cases/support.ts';
import { givenActiveGrant, seedContact, testDeps } from '../support/deps.ts';
import { recordChecksFromStream } from '../support/stream.ts';

async function eventsOf(deps: Awaited<ReturnType<typeof testDeps>>['deps'], tenantId: string) {
  return (await listAudit(deps, tenantId, { limit: 100 })).items;
}

describe('grant lifecycle on DynamoDB Local', () => {
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
