import { describe, expect, it } from 'vitest';
import { createGrant, sweepOverdueGrants } from '../../functions/use-cases/grants.ts';
import { listActiveGrants } from '../../functions/use-cases/support.ts';
import { seedContact, testDeps } from '../support/deps.ts';

describe('paging the active grants across deadlines', () => {
  async function threeGrants() {
    const t = await testDeps();
    for (const [i, tenant] of ['a', 'b', 'c'].entries()) {
      const contact = await seedContact(t.deps, tenant, `x@${tenant}.test`);
      await createGrant(
        t.deps,
        tenant,
        contact,
        { reason: tenant, durationSeconds: 300 + i * 60 },
        t.clock.now(),
      );
    }
    return t;
  }

  it('a cursor whose grant has expired since still pages on, from the grants still active', async () => {
    const { deps, clock } = await threeGrants();
    const first = await listActiveGrants(deps, { limit: 1 }, clock.now());
    expect(first.items.map((g) => g.tenantId)).toEqual(['a']);
    clock.advance(330_000); // a's deadline (300 s) has passed, b's (360 s) not yet
    const second = await listActiveGrants(
      deps,
      { limit: 1, cursor: first.nextCursor ?? undefined },
      clock.now(),
    );
    expect(second.items.map((g) => g.tenantId)).toEqual(['b']);
    const third = await listActiveGrants(
      deps,
      { limit: 1, cursor: second.nextCursor ?? undefined },
      clock.now(),
    );
    expect(third.items.map((g) => g.tenantId)).toEqual(['c']);
    expect(third.nextCursor).toBeNull();
  });

  it('a cursor beyond every grant still active answers an empty last page', async () => {
    const { deps, clock } = await threeGrants();
    const first = await listActiveGrants(deps, { limit: 2 }, clock.now());
    clock.advance(500_000); // all three have passed their deadlines
    const next = await listActiveGrants(
      deps,
      { limit: 2, cursor: first.nextCursor ?? undefined },
      clock.now(),
    );
    expect(next).toEqual({ items: [], nextCursor: null });
  });

  it('the sweep pages through many overdue grants', async () => {
    const { deps, clock } = await threeGrants();
    clock.advance(1_000_000);
    expect(await sweepOverdueGrants(deps, 2)).toMatchObject({ examined: 2, expired: 2, more: true });
    expect(await sweepOverdueGrants(deps, 2)).toMatchObject({ examined: 1, expired: 1, more: false });
  });
});
