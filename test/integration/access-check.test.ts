import { describe, expect, it } from 'vitest';
import type { AccessAnswer } from '../../functions/domain/access-check.ts';
import { CHAIN_SETTLE_MS, chainAuditLog, chainBound, exportAudit } from '../../functions/use-cases/audit.ts';
import { changeGrantDeadline, createGrant, revokeGrant } from '../../functions/use-cases/grants.ts';
import { checkAccess, listAudit } from '../../functions/use-cases/support.ts';
import { givenActiveGrant, grantFrom, seedContact, testDeps } from '../support/deps.ts';
import { recordChecksFromStream } from '../support/stream.ts';

describe('the access check: one write decides and records (DynamoDB Local)', () => {
  it('checks hammering the tenant (about 100 a second) never fail or block its grant changes, and every check is recorded once', async () => {
    const t = await testDeps();
    const ada = await seedContact(t.deps, 'acme', 'ada@acme.test');
    const answers: AccessAnswer[] = [];
    const failedChecks: unknown[] = [];
    let changing = true;
    const inFlight = new Set<Promise<void>>();
    const checker = (async () => {
      while (changing) {
        const check = checkAccess(t.deps, 'acme', 'agent@vendor.example').then(
          (a) => void answers.push(a),
          (e) => void failedChecks.push(e),
        );
        inFlight.add(check);
        void check.finally(() => inFlight.delete(check));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await Promise.all(inFlight);
    })();
    const failedChanges: unknown[] = [];
    const grantIds: string[] = [];
    for (let round = 0; round < 10; round++) {
      try {
        const { grant } = await createGrant(
          t.deps,
          'acme',
          ada,
          { reason: `round ${round}`, durationSeconds: 3600 },
          t.clock.now(),
        );
        grantIds.push(grant.grantId);
        await changeGrantDeadline(
          t.deps,
          'acme',
          grant.grantId,
          ada,
          { durationSeconds: 7200 },
          t.clock.now(),
        );
        await revokeGrant(t.deps, 'acme', grant.grantId, ada, t.clock.now());
      } catch (error) {
        failedChanges.push(error);
      }
    }
    changing = false;
    await checker;
    expect(failedChanges).toEqual([]);
    expect(failedChecks).toEqual([]);
    expect(answers.length).toBeGreaterThan(20);
    // A "yes" names one of the grants; nothing is left active after the last revoke.
    for (const a of answers) if (a.access) expect(grantIds).toContain(a.grant?.grantId);
    expect(await checkAccess(t.deps, 'acme', 'agent@vendor.example')).toMatchObject({ access: false });
    // Every answered check has exactly one event, with the answer it gave.
    expect(await recordChecksFromStream(t)).toBe(answers.length + 1);
    expect(await recordChecksFromStream(t)).toBe(0);
    const events = [];
    let cursor: string | undefined;
    do {
      const page = await listAudit(t.deps, 'acme', { limit: 100, cursor });
      events.push(...page.items.filter((e) => e.type === 'access.checked'));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(events).toHaveLength(answers.length + 1);
    const byCheck = new Map(events.map((e) => [`${e.at}|${e.grantId}|${e.details.access}`, e]));
    for (const a of answers)
      expect(byCheck.has(`${a.checkedAt}|${a.grant?.grantId ?? null}|${a.access}`)).toBe(true);
    // Recording is one transaction per check (its event and its count on the grant), a tenant's
    // checks in order: on a busy machine the hammering and the recording of its checks take long.
  }, 120_000);

  it('a bare stamp (a check without a grant) neither blocks a new grant nor reads as one; grants come and go under the stamp count', async () => {
    const t = await testDeps();
    const ada = await seedContact(t.deps, 'acme', 'ada@acme.test');
    expect(await checkAccess(t.deps, 'acme', 'agent@vendor.example')).toMatchObject({
      access: false,
      grant: null,
    });
    expect(await t.stores.grants.getActiveAccess('acme')).toBeNull();
    expect(await t.stores.checks.stampedChecks('acme')).toBe(1);
    const grant = await grantFrom(t, ada, { seconds: 600 });
    // Creating the grant keeps the count: the chainer still knows how many checks there are.
    expect(await t.stores.checks.stampedChecks('acme')).toBe(1);
    expect(await checkAccess(t.deps, 'acme', 'agent@vendor.example')).toMatchObject({
      access: true,
      grant: { grantId: grant.grantId },
    });
    await revokeGrant(t.deps, 'acme', grant.grantId, ada, t.clock.now());
    // So does ending it: a check just before the end is not forgotten by the chain's bound.
    expect(await t.stores.checks.stampedChecks('acme')).toBe(2);
    expect(await t.stores.grants.getActiveAccess('acme')).toBeNull();
    expect(await chainBound(t.deps, 'acme')).toBeNull();
    expect(await checkAccess(t.deps, 'acme', 'agent@vendor.example')).toMatchObject({ access: false });
    expect(await recordChecksFromStream(t)).toBe(3);
    expect(await t.stores.checks.checkMark('acme')).toMatchObject({ seq: 3 });
    expect(await chainBound(t.deps, 'acme')).toBeUndefined();
    // And a second grant after the first.
    const again = await createGrant(
      t.deps,
      'acme',
      ada,
      { reason: 'r2', durationSeconds: 600 },
      t.clock.now(),
    );
    expect(await checkAccess(t.deps, 'acme', 'agent@vendor.example')).toMatchObject({
      access: true,
      grant: { grantId: again.grant.grantId },
    });
  });

  it('the chain never passes over a check whose stamp is still on its way in the stream', async () => {
    const t = await givenActiveGrant({ seconds: 3600 });
    await checkAccess(t.deps, 'acme', 'agent@vendor.example');
    t.clock.advance(CHAIN_SETTLE_MS + 5_000);
    // The stamp is not recorded yet (no mark): nothing is chained.
    expect(await chainBound(t.deps, 'acme')).toBeNull();
    // Once recorded, the usual settle rule holds and the check is chained in its place.
    await recordChecksFromStream(t);
    expect(await chainBound(t.deps, 'acme')).toBeUndefined();
    expect((await chainAuditLog(t.deps, 'acme')).chained).toBe(3);
    const { events } = await exportAudit(t.deps, 'acme', { limit: 10 });
    expect(events.map((e) => e.type)).toEqual(['contact.added', 'grant.created', 'access.checked']);
  });

  it('a batch of stamps the recorder never saw stops the chain before it, however many later checks are recorded', async () => {
    const t = await givenActiveGrant({ seconds: 3600 });
    t.clock.advance(60_000);
    const first = await checkAccess(t.deps, 'acme', 'agent@vendor.example');
    t.clock.advance(60_000);
    const lost = [
      await checkAccess(t.deps, 'acme', 'agent@vendor.example'),
      await checkAccess(t.deps, 'acme', 'agent@vendor.example'),
    ];
    t.clock.advance(60_000);
    await checkAccess(t.deps, 'acme', 'agent@vendor.example');
    t.clock.advance(60_000);
    const lostAt = new Set(lost.map((c) => c.checkedAt));
    expect(await recordChecksFromStream(t, (s) => lostAt.has(s.check.checkedAt))).toBe(2);
    // The mark stays on the first check: the later one's event exists, yet the two before it do not.
    expect(await t.stores.checks.checkMark('acme')).toEqual({ seq: 1, checkedAt: first.checkedAt });
    const bound = await chainBound(t.deps, 'acme');
    expect(bound?.toISOString()).toBe(new Date(Date.parse(first.checkedAt) - CHAIN_SETTLE_MS).toISOString());
    await chainAuditLog(t.deps, 'acme', CHAIN_SETTLE_MS, bound ?? undefined);
    const { events } = await exportAudit(t.deps, 'acme', { limit: 10 });
    expect(events.map((e) => e.type)).toEqual(['contact.added', 'grant.created']);
    // Delivered after all (the stream's retry), the lost stamps let the chain go on, in order.
    expect(await recordChecksFromStream(t)).toBe(2);
    expect(await t.stores.checks.checkMark('acme')).toMatchObject({ seq: 4 });
    expect(await chainBound(t.deps, 'acme')).toBeUndefined();
    await chainAuditLog(t.deps, 'acme');
    const all = await exportAudit(t.deps, 'acme', { limit: 10 });
    expect(all.events.filter((e) => e.type === 'access.checked')).toHaveLength(4);
  });
});
