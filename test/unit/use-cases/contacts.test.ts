import { describe, expect, it } from 'vitest';
import { addContact, listContacts, removeContact } from '../../../functions/use-cases/contacts.ts';
import { getGrant } from '../../../functions/use-cases/grants.ts';
import { listAudit, verifyCaller } from '../../../functions/use-cases/support.ts';
import { fakeDeps, givenActiveGrant } from '../../support/fakes/deps.ts';
import { seedContact } from '../../support/use-case-deps.ts';

describe('contacts (use cases over the in-memory stores)', () => {
  it('adds with defaults and normalised phone, warns below two granting contacts', async () => {
    const { deps, clock } = fakeDeps();
    const ada = await addContact(
      deps,
      'acme',
      'admin@acme.test',
      { name: ' Ada ', email: 'Ada@Acme.test', phone: '030 1234567' },
      clock.now(),
    );
    expect(ada).toMatchObject({
      name: 'Ada',
      email: 'Ada@Acme.test',
      phone: '+49301234567',
      locale: 'de',
      canGrantAccess: true,
      canInstruct: true,
    });
    expect((await listContacts(deps, 'acme')).warnings).toHaveLength(1);
    await seedContact(deps, 'acme', 'bob@acme.test', { canGrantAccess: false });
    expect((await listContacts(deps, 'acme')).warnings).toHaveLength(1);
    await seedContact(deps, 'acme', 'cy@acme.test');
    const listed = await listContacts(deps, 'acme');
    expect(listed.warnings).toEqual([]);
    expect(listed.contacts.map((c) => c.email)).toEqual(['Ada@Acme.test', 'bob@acme.test', 'cy@acme.test']);
  });

  it('refuses the same email twice in a tenant, case-insensitively, but not across tenants', async () => {
    const { deps } = fakeDeps();
    await seedContact(deps, 'acme', 'ada@acme.test');
    await expect(seedContact(deps, 'acme', 'ADA@acme.test')).rejects.toMatchObject({
      code: 'contact-exists',
    });
    await expect(seedContact(deps, 'globex', 'ada@acme.test')).resolves.toBeDefined();
    expect((await listAudit(deps, 'acme', { limit: 10 })).items.map((e) => e.type)).toEqual([
      'contact.added',
    ]);
  });

  it('removing the contact who granted the active grant revokes it in the same step', async () => {
    const { deps, clock, scheduler, ada, grant } = await givenActiveGrant({ seconds: 600 });
    clock.advance(1000);
    await removeContact(deps, 'acme', ada.contactId, 'admin@acme.test', clock.now());
    expect(await getGrant(deps, 'acme', grant.grantId, clock.now())).toMatchObject({
      status: 'revoked',
      endedBy: 'system',
      endReason: 'contact-removed',
      endedAt: '2026-12-01T10:00:01.000Z',
    });
    expect(await deps.grants.getActiveAccess('acme')).toBeNull();
    expect(scheduler.calls.at(-1)).toEqual({ action: 'unschedule', grantId: grant.grantId });
    const types = (await listAudit(deps, 'acme', { limit: 10 })).items.map((e) => e.type).sort();
    expect(types).toEqual(['contact.added', 'contact.removed', 'grant.created', 'grant.revoked']);
    await expect(
      removeContact(deps, 'acme', ada.contactId, 'admin@acme.test', clock.now()),
    ).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('removing another contact leaves the grant alone', async () => {
    const { deps, clock, bob, grant } = await givenActiveGrant({ seconds: 600, secondContact: true });
    await removeContact(deps, 'acme', bob.contactId, 'admin@acme.test', clock.now());
    expect(await getGrant(deps, 'acme', grant.grantId, clock.now())).toMatchObject({ status: 'active' });
    // The email is free again after removal.
    await expect(seedContact(deps, 'acme', 'bob@acme.test')).resolves.toBeDefined();
  });

  it('a shared switchboard number lists every contact on it and names none', async () => {
    const { deps, clock } = fakeDeps();
    await seedContact(deps, 'acme', 'ada@acme.test', { phone: '+49 30 1234567', canInstruct: false });
    await seedContact(deps, 'acme', 'bob@acme.test', { phone: '030 1234567', canGrantAccess: false });
    const answer = await verifyCaller(deps, 'acme', 'agent@v.test', { phone: '+49301234567' }, clock.now());
    expect(answer).toEqual({
      authorized: true,
      contact: null,
      matches: [
        { name: 'ada', canGrantAccess: true, canInstruct: false },
        { name: 'bob', canGrantAccess: false, canInstruct: true },
      ],
    });
    const [event] = (await listAudit(deps, 'acme', { limit: 10 })).items.filter(
      (e) => e.type === 'contact.verified',
    );
    expect(event?.details).toMatchObject({ authorized: true, contactId: null });
    expect(event?.details.matches).toHaveLength(2);
  });

  it('verifies callers by normalised phone or case-insensitive email, and records it', async () => {
    const { deps, clock } = fakeDeps();
    await seedContact(deps, 'acme', 'ada@acme.test', { phone: '+49 30 1234567', canInstruct: false });
    const byPhone = await verifyCaller(deps, 'acme', 'agent@v.test', { phone: '030/123 4567' }, clock.now());
    const ada = { name: 'ada', canGrantAccess: true, canInstruct: false };
    expect(byPhone).toEqual({ authorized: true, contact: ada, matches: [ada] });
    expect(
      await verifyCaller(deps, 'acme', 'agent@v.test', { email: 'ADA@ACME.TEST' }, clock.now()),
    ).toMatchObject({
      authorized: true,
    });
    expect(
      await verifyCaller(deps, 'globex', 'agent@v.test', { email: 'ada@acme.test' }, clock.now()),
    ).toEqual({ authorized: false, contact: null, matches: [] });
    await expect(
      verifyCaller(deps, 'acme', 'agent@v.test', { phone: 'abc' }, clock.now()),
    ).rejects.toMatchObject({
      code: 'validation-failed',
    });
    const verified = (await listAudit(deps, 'acme', { limit: 10 })).items.filter(
      (e) => e.type === 'contact.verified',
    );
    expect(verified.map((e) => e.details.by)).toEqual(['email', 'phone']);
  });
});
