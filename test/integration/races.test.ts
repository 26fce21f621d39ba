import { describe, expect, it } from 'vitest';
import {
  changeGrantDeadline,
  createGrant,
  expireGrant,
  getGrant,
  listGrants,
  revokeGrant,
} from '../../functions/use-cases/grants.ts';
import { listAudit } from '../../functions/use-cases/support.ts';
import { withBarrier } from '../support/barrier.ts';
import { seedContact, testDeps } from '../support/deps.ts';

describe('races resolved by DynamoDB conditions', () => {
  it('two concurrent creates for one tenant give exactly one grant', async () => {
    const { deps, clock } = await testDeps();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    const bob = await seedContact(deps, 'acme', 'bob@acme.test');
    const racing = { ...deps, store: withBarrier(deps.store, 'getActiveAccess', 2) };
    const results = await Promise.allSettled([
      createGrant(racing, 'acme', ada, { reason: 'ada', durationSeconds: 600 }, clock.now()),
      createGrant(racing, 'acme', bob, { reason: 'bob', durationSeconds: 600 }, clock.now()),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    const winner = (fulfilled[0] as PromiseFulfilledResult<{ grant: { grantId: string } }>).value.grant
      .grantId;
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 'grant-already-active',
      activeGrantId: winner,
    });
    const grants = await listGrants(deps, 'acme', { limit: 10 }, undefined, clock.now());
    expect(grants.items.map((g) => g.grantId)).toEqual([winner]);
    const created = (await listAudit(deps, 'acme', { limit: 50 })).items.filter(
      (e) => e.type === 'grant.created',
    );
    expect(created.map((e) => e.grantId)).toEqual([winner]);
  });

  it('many concurrent creates across a burst still leave one active grant', async () => {
    const { deps, clock } = await testDeps();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        createGrant(deps, 'acme', ada, { reason: `r${i}`, durationSeconds: 600 }, clock.now()),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await listGrants(deps, 'acme', { limit: 50 }, undefined, clock.now())).items).toHaveLength(1);
  });

  it('revoke racing expiry gives exactly one terminal state and one terminal event', async () => {
    const { deps, clock } = await testDeps();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    const { grant } = await createGrant(
      deps,
      'acme',
      ada,
      { reason: 'r', durationSeconds: 300 },
      clock.now(),
    );
    const deadline = new Date(grant.expiresAt);
    clock.set(deadline); // the expiry job sees the deadline reached …
    const racing = { ...deps, store: withBarrier(deps.store, 'getGrant', 2) };
    const [revoked, expired] = await Promise.all([
      // … while the revoke was received a millisecond before it.
      revokeGrant(racing, 'acme', grant.grantId, ada, new Date(deadline.getTime() - 1)),
      expireGrant(racing, 'acme', grant.grantId),
    ]);
    const stored = await deps.store.getGrant('acme', grant.grantId);
    expect(stored?.status === 'revoked' || stored?.status === 'expired').toBe(true);
    expect(stored?.version).toBe(2);
    expect(revoked.status).toBe(stored?.status);
    expect(expired.outcome).toBe(stored?.status === 'expired' ? 'expired' : 'already-ended');
    const terminal = (await listAudit(deps, 'acme', { limit: 50 })).items.filter(
      (e) => e.type === 'grant.revoked' || e.type === 'grant.expired',
    );
    expect(terminal).toHaveLength(1);
    expect(terminal[0]?.type).toBe(`grant.${stored?.status}`);
  });

  it('concurrent extensions are serialised by the version: both land, one after the other', async () => {
    const { deps, clock } = await testDeps();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    const { grant } = await createGrant(
      deps,
      'acme',
      ada,
      { reason: 'r', durationSeconds: 600 },
      clock.now(),
    );
    const racing = { ...deps, store: withBarrier(deps.store, 'getGrant', 2) };
    const results = await Promise.all([
      changeGrantDeadline(racing, 'acme', grant.grantId, ada, { durationSeconds: 1200 }, clock.now()),
      changeGrantDeadline(racing, 'acme', grant.grantId, ada, { durationSeconds: 1800 }, clock.now()),
    ]);
    const stored = await deps.store.getGrant('acme', grant.grantId);
    expect(stored?.version).toBe(3);
    expect(results.map((g) => g.expiresAt)).toContain(stored?.expiresAt);
    const access = await deps.store.getActiveAccess('acme');
    expect(access?.expiresAt).toBe(stored?.expiresAt);
    const extended = (await listAudit(deps, 'acme', { limit: 50 })).items.filter(
      (e) => e.type === 'grant.extended',
    );
    expect(extended).toHaveLength(2);
  });

  it('an extension racing the deadline never revives an expired grant', async () => {
    const { deps, clock } = await testDeps();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    const { grant } = await createGrant(
      deps,
      'acme',
      ada,
      { reason: 'r', durationSeconds: 300 },
      clock.now(),
    );
    const before = await deps.store.getGrant('acme', grant.grantId);
    if (!before) throw new Error('grant missing');
    const after = { ...before, expiresAt: '2026-12-01T11:00:00.000Z', version: 2 };
    const event = {
      eventId: deps.ids.next(clock.now()),
      tenantId: 'acme',
      at: grant.expiresAt,
      type: 'grant.extended' as const,
      actor: 'ada@acme.test',
      grantId: grant.grantId,
      details: {},
    };
    // Written as if decided just before the deadline but arriving at it.
    await expect(
      deps.store.changeDeadline(before, after, event, new Date(grant.expiresAt)),
    ).rejects.toMatchObject({
      name: 'ConcurrentModificationError',
    });
    clock.set(grant.expiresAt);
    expect(await getGrant(deps, 'acme', grant.grantId, clock.now())).toMatchObject({ status: 'expired' });
  });
});
