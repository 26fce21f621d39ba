import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { CursorCodec } from '../../functions/adapters/dynamodb/cursor.ts';
import { IndexShards } from '../../functions/adapters/dynamodb/shards.ts';
import { ACTIVE_BY_DEADLINE_INDEX } from '../../functions/adapters/dynamodb/table-definition.ts';
import type { PageRequest } from '../../functions/domain/ports.ts';
import { createGrant, sweepDueReminders, sweepOverdueGrants } from '../../functions/use-cases/grants.ts';
import { listActiveGrants } from '../../functions/use-cases/support.ts';
import { tableStores } from '../../functions/wiring/stores.ts';
import { FakeClock } from '../support/clock.ts';
import { freshTable } from '../support/table.ts';
import { seedContact, useCaseDeps } from '../support/use-case-deps.ts';

const DAY = 86_400_000;

/** Two stores on one table, as before and after raising ACTIVE_INDEX_SHARDS from 1 to 4. */
async function sharded() {
  const table = await freshTable();
  const clock = new FakeClock('2026-12-01T10:00:00.000Z');
  const secret = 'k'.repeat(32);
  const store = (shards: number) =>
    tableStores(table.doc, table.tableName, new CursorCodec(secret), new IndexShards(shards));
  return { ...table, clock, one: useCaseDeps(store(1), clock), four: useCaseDeps(store(4), clock) };
}

/** Every page of a list, following its cursors. */
async function allPages<T>(list: (page: PageRequest) => Promise<{ items: T[]; nextCursor: string | null }>) {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list({ limit: 3, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  return { items, pages };
}

describe('write sharding of the active-grant index (ACTIVE_INDEX_SHARDS, DynamoDB Local)', () => {
  it('spreads grants and reminders over the shards; the lists merge them in deadline order, page by page', async () => {
    const t = await sharded();
    // Deadlines two days ahead, a minute apart in reverse tenant order, so no shard is in order alone.
    for (let i = 0; i < 10; i++) {
      const tenant = `s${i}`;
      const contact = await seedContact(t.four, tenant, `x@${tenant}.test`);
      await createGrant(
        t.four,
        tenant,
        contact,
        { reason: tenant, durationSeconds: 2 * 86_400 + (10 - i) * 60 },
        t.clock.now(),
      );
    }
    const { Items = [] } = await t.doc.send(
      new QueryCommand({
        TableName: t.tableName,
        IndexName: ACTIVE_BY_DEADLINE_INDEX.indexName,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'ACTIVE' },
      }),
    );
    expect(Items.length).toBeGreaterThan(0);
    expect(Items.length).toBeLessThan(10); // the rest sit in ACTIVE#1..3

    const byDeadline = Array.from({ length: 10 }, (_, i) => `s${9 - i}`);
    const active = await allPages((page) => listActiveGrants(t.four, page, t.clock.now()));
    expect(active.items.map((g) => g.tenantId)).toEqual(byDeadline);
    expect(active.pages).toBe(4);

    // A day and 5½ minutes on, five reminders are due: the sweep finds them across the shards.
    t.clock.advance(DAY + 330_000);
    const due = await allPages((page) => t.four.grants.listDueReminders(t.clock.now(), page));
    expect(due.items.map((r) => r.tenantId)).toEqual(byDeadline.slice(0, 5));
    expect(await sweepDueReminders(t.four, 100)).toMatchObject({ reminded: 5, more: false });
    expect((await t.four.grants.listDueReminders(t.clock.now(), { limit: 10 })).items).toEqual([]);

    // Another day on, seven deadlines have passed: the sweep ends exactly those, in order.
    t.clock.advance(DAY + 120_000);
    const overdue = await allPages((page) => t.four.grants.listOverdueGrants(t.clock.now(), page));
    expect(overdue.items.map((g) => g.tenantId)).toEqual(byDeadline.slice(0, 7));
    expect(await sweepOverdueGrants(t.four, 100)).toMatchObject({ examined: 7, expired: 7, more: false });
    const left = await allPages((page) => listActiveGrants(t.four, page, t.clock.now()));
    expect(left.items.map((g) => g.tenantId)).toEqual(byDeadline.slice(7));
  });

  it('raising the shard count keeps every grant listed, and a cursor from before still pages on', async () => {
    const t = await sharded();
    // Tenant r<i>'s grant ends 10 + i minutes from now.
    const grantFor = async (deps: typeof t.one, i: number) => {
      const contact = await seedContact(deps, `r${i}`, `x@r${i}.test`);
      await createGrant(
        deps,
        `r${i}`,
        contact,
        { reason: 'r', durationSeconds: 600 + i * 60 },
        t.clock.now(),
      );
    };
    for (let i = 0; i < 6; i++) await grantFor(t.one, i);
    const before = await listActiveGrants(t.one, { limit: 2 }, t.clock.now());
    expect(before.items.map((g) => g.tenantId)).toEqual(['r0', 'r1']);
    // Raised to 4: new grants spread, the old ones are still in shard 0 (the unsharded name).
    for (let i = 6; i < 10; i++) await grantFor(t.four, i);
    const rest = await allPages((page) =>
      listActiveGrants(
        t.four,
        page.cursor ? page : { ...page, cursor: before.nextCursor ?? undefined },
        t.clock.now(),
      ),
    );
    expect(rest.items.map((g) => g.tenantId)).toEqual(['r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9']);
  });

  it('refuses a shard count it cannot hold', () => {
    for (const bad of [0, 33, 1.5, Number.NaN])
      expect(() => new IndexShards(bad)).toThrow(/ACTIVE_INDEX_SHARDS/);
  });
});
