import { describe, expect, it } from 'vitest';
import type { Contact } from '../../functions/domain/contact.ts';
import { removeContact } from '../../functions/use-cases/contacts.ts';
import { grantDetails } from '../../functions/use-cases/events.ts';
import {
  changeGrantDeadline,
  createGrant,
  expireGrant,
  getGrant,
  listGrants,
  revokeGrant,
} from '../../functions/use-cases/grants.ts';
import {
  confirmInstruction,
  getInstruction,
  requestInstruction,
} from '../../functions/use-cases/instructions.ts';
import { listAudit } from '../../functions/use-cases/support.ts';
import { onceAfter, withBarrier } from '../support/barrier.ts';
import { givenActiveGrant, seedContact, testDeps } from '../support/deps.ts';

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
    const { deps, clock, ada, grant } = await givenActiveGrant();
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
    const { deps, clock, ada, grant } = await givenActiveGrant({ seconds: 600 });
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
    const { deps, clock, ada, grant } = await givenActiveGrant();
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
      details: { ...grantDetails(after), previousExpiresAt: before.expiresAt },
    };
    // Written as if decided just before the deadline but arriving at it.
    clock.set(grant.expiresAt);
    await expect(
      deps.store.changeDeadline(before, after, event, { actingContactId: ada.contactId, clock }),
    ).rejects.toMatchObject({
      name: 'ConcurrentModificationError',
    });
    expect(await getGrant(deps, 'acme', grant.grantId, clock.now())).toMatchObject({ status: 'expired' });
  });

  it('a change received before the deadline but written after it finds the grant ended', async () => {
    const { deps, clock, ada, grant } = await givenActiveGrant();
    const received = new Date(Date.parse(grant.expiresAt) - 50);
    clock.set(received);
    // A slow table: by the time the read has answered, the deadline has passed.
    const slow = onceAfter(deps.store, 'getGrant', async () =>
      clock.set(new Date(Date.parse(grant.expiresAt) + 10)),
    );
    await expect(
      changeGrantDeadline(
        { ...deps, store: slow },
        'acme',
        grant.grantId,
        ada,
        { durationSeconds: 3600 },
        received,
      ),
    ).rejects.toMatchObject({ code: 'grant-not-active' });
    const stored = await deps.store.getGrant('acme', grant.grantId);
    expect(stored).toMatchObject({ expiresAt: grant.expiresAt, version: 1 });
    expect(await getGrant(deps, 'acme', grant.grantId, clock.now())).toMatchObject({ status: 'expired' });
    const extended = (await listAudit(deps, 'acme', { limit: 50 })).items.filter(
      (e) => e.type === 'grant.extended',
    );
    expect(extended).toEqual([]);
  });

  it('a contact removed while their grant request is in flight grants nothing', async () => {
    const { deps, clock } = await testDeps();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    await seedContact(deps, 'acme', 'bob@acme.test');
    // The create has checked who Ada is and read the tenant's state; then she is removed.
    const racing = onceAfter(deps.store, 'getActiveAccess', () =>
      removeContact(deps, 'acme', ada.contactId, 'admin@acme.test', clock.now()),
    );
    await expect(
      createGrant(
        { ...deps, store: racing },
        'acme',
        ada,
        { reason: 'r', durationSeconds: 600 },
        clock.now(),
      ),
    ).rejects.toMatchObject({ code: 'not-authorized-contact' });
    expect(await deps.store.getActiveAccess('acme')).toBeNull();
    const types = (await listAudit(deps, 'acme', { limit: 50 })).items.map((e) => e.type);
    expect(types).not.toContain('grant.created');
  });

  it('a contact removed while their extension or revocation is in flight changes nothing', async () => {
    const { deps, clock, bob, grant } = await givenActiveGrant({ seconds: 600, secondContact: true });
    const removingBob = () =>
      onceAfter(deps.store, 'getGrant', () =>
        removeContact(deps, 'acme', bob.contactId, 'admin@acme.test', clock.now()),
      );
    await expect(
      changeGrantDeadline(
        { ...deps, store: removingBob() },
        'acme',
        grant.grantId,
        bob,
        { durationSeconds: 7200 },
        clock.now(),
      ),
    ).rejects.toMatchObject({ code: 'not-authorized-contact' });
    expect(await deps.store.getGrant('acme', grant.grantId)).toMatchObject({
      expiresAt: grant.expiresAt,
      version: 1,
    });
    const carl = await seedContact(deps, 'acme', 'carl@acme.test');
    const removingCarl = onceAfter(deps.store, 'getGrant', () =>
      removeContact(deps, 'acme', carl.contactId, 'admin@acme.test', clock.now()),
    );
    await expect(
      revokeGrant({ ...deps, store: removingCarl }, 'acme', grant.grantId, carl, clock.now()),
    ).rejects.toMatchObject({ code: 'not-authorized-contact' });
    expect(await deps.store.getGrant('acme', grant.grantId)).toMatchObject({ status: 'active' });
  });

  it('removing a contact racing their own grant request never leaves their grant active', async () => {
    const { deps, clock } = await testDeps();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    await seedContact(deps, 'acme', 'bob@acme.test');
    // Both read "no active grant" before either writes.
    const racing = { ...deps, store: withBarrier(deps.store, 'getActiveAccess', 2) };
    await Promise.allSettled([
      createGrant(racing, 'acme', ada, { reason: 'r', durationSeconds: 600 }, clock.now()),
      removeContact(racing, 'acme', ada.contactId, 'admin@acme.test', clock.now()),
    ]);
    expect(await deps.store.getContact('acme', ada.contactId)).toBeNull();
    const access = await deps.store.getActiveAccess('acme');
    if (access) {
      const granted = await deps.store.getGrant('acme', access.grantId);
      expect(granted?.grantedBy.contactId).not.toBe(ada.contactId);
    }
  });

  it('the confirmer removed and added again while their confirmation is in flight: neither record confirms', async () => {
    const { deps, clock } = await testDeps('2026-12-01T09:59:00.000Z');
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    const bob = await seedContact(deps, 'acme', 'bob@acme.test');
    clock.set('2026-12-01T10:00:00.000Z');
    const { instructionId } = await requestInstruction(
      deps,
      'acme',
      ada,
      { kind: 'account-deletion', details: 'Delete it.' },
      clock.now(),
    );
    let bobAgain: Contact | undefined;
    // Between reading the instruction and writing the confirmation, the admin replaces Bob.
    const racing = {
      ...deps,
      store: onceAfter(deps.store, 'getInstruction', async () => {
        await removeContact(deps, 'acme', bob.contactId, 'admin@acme.test', clock.now());
        clock.advance(1000);
        bobAgain = await seedContact(deps, 'acme', 'Bob@acme.test');
      }),
    };
    await expect(confirmInstruction(racing, 'acme', instructionId, bob, clock.now())).rejects.toMatchObject({
      code: 'not-authorized-contact',
    });
    await expect(
      confirmInstruction(deps, 'acme', instructionId, bobAgain as Contact, clock.now()),
    ).rejects.toMatchObject({ code: 'four-eyes-required' });
    expect((await getInstruction(deps, 'acme', instructionId, clock.now())).status).toBe(
      'pending-confirmation',
    );
  });
});
