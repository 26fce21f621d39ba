import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import type { DynamoContacts } from '../../functions/adapters/dynamodb/contacts.ts';
import type { Table } from '../../functions/adapters/dynamodb/table.ts';
import { CONTACTS_MAX } from '../../functions/domain/contact.ts';
import { addContact, listContacts, removeContact } from '../../functions/use-cases/contacts.ts';
import { getGrant } from '../../functions/use-cases/grants.ts';
import { listAudit, verifyCaller } from '../../functions/use-cases/support.ts';
import { givenActiveGrant, seedContact, testDeps } from '../support/deps.ts';

describe('contacts on DynamoDB Local', () => {
  it('adds with defaults and normalised phone, warns below two granting contacts', async () => {
    const { deps, clock } = await testDeps();
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
    const { deps } = await testDeps();
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
    const { deps, clock } = await testDeps();
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
    const { deps, clock } = await testDeps();
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

  describe('at most 50 contacts per tenant', () => {
    type T = Awaited<ReturnType<typeof testDeps>>;
    const countKey = (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'CONTACTS' });
    const countOf = async (t: T, tenantId = 'acme') =>
      (await t.doc.send(new GetCommand({ TableName: t.tableName, Key: countKey(tenantId) }))).Item?.contacts;
    /** A tenant whose contacts were registered before contacts were counted. */
    const forgetCount = (t: T, tenantId = 'acme') =>
      t.doc.send(new DeleteCommand({ TableName: t.tableName, Key: countKey(tenantId) }));
    const seedMany = async (t: T, n: number) => {
      for (let i = 0; i < n; i++) await seedContact(t.deps, 'acme', `c${i}@acme.test`);
    };
    /** The first `parties` transactions wait until all of them have been built: every add has read before any writes. */
    const barrierBeforeWrites = (t: T, parties: number) => {
      const { table } = t.stores.contacts as unknown as { table: Table };
      const transact = table.transact.bind(table);
      let arrived = 0;
      let release = () => {};
      const all = new Promise<void>((resolve) => {
        release = resolve;
      });
      vi.spyOn(table, 'transact').mockImplementation(async (items) => {
        if (arrived < parties) {
          arrived++;
          if (arrived === parties) release();
          await all;
        }
        return transact(items);
      });
    };
    const addedEvents = async (t: T) =>
      (await listAudit(t.deps, 'acme', { limit: 100 })).items.filter((e) => e.type === 'contact.added')
        .length;

    it('the 51st is 409 contact-limit-reached and writes nothing; a removal makes room again', async () => {
      const t = await testDeps();
      await seedMany(t, CONTACTS_MAX);
      expect(await countOf(t)).toBe(50);
      await expect(seedContact(t.deps, 'acme', 'one-more@acme.test')).rejects.toMatchObject({
        code: 'contact-limit-reached',
      });
      expect((await listContacts(t.deps, 'acme')).contacts).toHaveLength(50);
      expect(await addedEvents(t)).toBe(50);
      expect(await countOf(t)).toBe(50);
      // Other tenants are not counted with it.
      await expect(seedContact(t.deps, 'globex', 'one-more@acme.test')).resolves.toBeDefined();
      const [first] = (await listContacts(t.deps, 'acme')).contacts;
      await removeContact(t.deps, 'acme', first?.contactId as string, 'admin@acme.test', t.clock.now());
      expect(await countOf(t)).toBe(49);
      await expect(seedContact(t.deps, 'acme', 'one-more@acme.test')).resolves.toBeDefined();
      expect(await countOf(t)).toBe(50);
    });

    it('eight concurrent adds to a tenant with 49: exactly one lands, seven get 409', async () => {
      const t = await testDeps();
      await seedMany(t, 49);
      barrierBeforeWrites(t, 8);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => seedContact(t.deps, 'acme', `racer${i}@acme.test`)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected'))
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'contact-limit-reached' });
      expect((await listContacts(t.deps, 'acme')).contacts).toHaveLength(50);
      expect(await addedEvents(t)).toBe(50);
      expect(await countOf(t)).toBe(50);
    });

    it('a tenant counted for the first time by concurrent adds at 49 still gets exactly one', async () => {
      const t = await testDeps();
      await seedMany(t, 49);
      await forgetCount(t);
      barrierBeforeWrites(t, 5);
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) => seedContact(t.deps, 'acme', `racer${i}@acme.test`)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((await listContacts(t.deps, 'acme')).contacts).toHaveLength(50);
      expect(await countOf(t)).toBe(50);
    });

    it('a removal between the first count’s listing and its write: the count is still exact', async () => {
      const t = await testDeps();
      await seedMany(t, 3);
      await forgetCount(t);
      const adapter = t.stores.contacts as DynamoContacts;
      const list = adapter.listContacts.bind(adapter);
      vi.spyOn(adapter, 'listContacts').mockImplementationOnce(async (tenantId) => {
        const listed = await list(tenantId);
        await removeContact(t.deps, 'acme', listed[0]?.contactId as string, 'admin@acme.test', t.clock.now());
        return listed;
      });
      await seedContact(t.deps, 'acme', 'late@acme.test');
      expect((await listContacts(t.deps, 'acme')).contacts).toHaveLength(3);
      expect(await countOf(t)).toBe(3);
    });
  });
});
