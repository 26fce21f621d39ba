import { describe, expect, it } from 'vitest';
import { grantReceipt, recordActivity } from '../../../functions/use-cases/audit.ts';
import { createGrant } from '../../../functions/use-cases/grants.ts';
import { checkAccess } from '../../../functions/use-cases/support.ts';
import { fakeDeps, givenActiveGrant } from '../../support/fakes/deps.ts';
import { seedContact, withActiveGrant } from '../../support/use-case-deps.ts';

describe('support under a grant (use cases over the in-memory stores)', () => {
  it('records an activity only under the active grant, and counts it on the grant’s receipt', async () => {
    const { deps, clock, grant } = await givenActiveGrant({ seconds: 600 });
    await recordActivity(deps, 'acme', 'agent@vendor.test', { action: 'reset password', target: 'user 7' });
    clock.set(grant.expiresAt);
    await expect(
      recordActivity(deps, 'acme', 'agent@vendor.test', { action: 'too late' }),
    ).rejects.toMatchObject({ code: 'no-active-grant' });
    const receipt = await grantReceipt(deps, 'acme', grant.grantId, clock.now());
    expect(receipt).toMatchObject({ activityCount: 1, agents: ['agent@vendor.test'] });
    expect(receipt.grant.status).toBe('expired');
    expect(receipt.activities.map((a) => a.details)).toEqual([
      { action: 'reset password', target: 'user 7', ticket: null },
    ]);
    await expect(grantReceipt(deps, 'acme', 'no-such-grant', clock.now())).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('answers access until the deadline millisecond, and no access without a grant', async () => {
    const t = fakeDeps();
    const { deps, clock } = t;
    expect(await checkAccess(deps, 'acme', 'agent@vendor.test')).toMatchObject({
      access: false,
      grant: null,
    });
    const { grant } = await withActiveGrant(t, {});
    clock.set(new Date(Date.parse(grant.expiresAt) - 1));
    expect((await checkAccess(deps, 'acme', 'agent@vendor.test')).access).toBe(true);
    clock.set(grant.expiresAt);
    expect(await checkAccess(deps, 'acme', 'agent@vendor.test')).toMatchObject({
      access: false,
      grant: null,
    });
  });

  it('replays a grant created with the same idempotency key and body; another body is refused', async () => {
    const { deps, clock, scheduler } = fakeDeps();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    const input = { reason: 'r', durationSeconds: 300 };
    const key = (fingerprint: unknown) => ({ scope: 'caller|key-1', fingerprint });
    const first = await createGrant(deps, 'acme', ada, input, clock.now(), key({ tenantId: 'acme', input }));
    const again = await createGrant(deps, 'acme', ada, input, clock.now(), key({ tenantId: 'acme', input }));
    expect(again).toEqual({ grant: first.grant, replayed: true });
    expect(scheduler.calls).toHaveLength(1);
    await expect(
      createGrant(
        deps,
        'acme',
        ada,
        input,
        clock.now(),
        key({ tenantId: 'acme', input: { ...input, reason: 'x' } }),
      ),
    ).rejects.toMatchObject({ code: 'idempotency-key-reused' });
  });
});
