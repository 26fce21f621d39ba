import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import type { DynamoContacts } from '../../functions/adapters/dynamodb/contacts.ts';
import type { Table } from '../../functions/adapters/dynamodb/table.ts';
import { CONTACTS_MAX } from '../../functions/domain/contact.ts';
import { listContacts, removeContact } from '../../functions/use-cases/contacts.ts';
import { listAudit } from '../../functions/use-cases/support.ts';
import { seedContact, testDeps } from '../support/deps.ts';

describe('contacts on DynamoDB Local', () => {
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
