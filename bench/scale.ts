import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { CursorCodec } from '../functions/adapters/dynamodb/cursor.ts';
import { eventItem, grantItem, pointerItem } from '../functions/adapters/dynamodb/items.ts';
import { IndexShards } from '../functions/adapters/dynamodb/shards.ts';
import type { AuditEvent } from '../functions/domain/audit.ts';
import { chainHash, GENESIS_HASH } from '../functions/domain/audit-chain.ts';
import type { StoredGrant } from '../functions/domain/grant.ts';
import { tableStores } from '../functions/wiring/stores.ts';
import { localCursorKey } from '../local/tokens.ts';
import { add, api, type Ctx, local, log, QUICK, tenantWithGrant } from './context.ts';
import { percentile, pool, round, timed } from './lib.ts';

const TABLE = 'support-access-local';

/**
 * Scale: many active grants and a tenant with a long audit log, written straight into the local
 * table. The check, the sweep's read and a page of each list must not grow with them.
 */
export async function scale(ctx: Ctx) {
  const grantCount = QUICK ? 1_000 : 10_000;
  const eventCount = QUICK ? 10_000 : 100_000;
  const big = await tenantWithGrant(ctx, 'scale-log', 'scale');
  const checkOnce = async () => {
    const r = await api(ctx, 'GET', `/tenants/${big.tenantId}/access`, ctx.agent);
    if (r.status !== 200) throw new Error(`check ${r.status}`);
  };
  const auditPage = (cursor?: string) =>
    api(
      ctx,
      'GET',
      `/tenants/${big.tenantId}/audit?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      big.admin,
    );
  const accessPage = (cursor?: string) =>
    api(ctx, 'GET', `/access?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, ctx.agent);
  const count = QUICK ? 300 : 1000;
  await timed(100, 1, checkOnce);
  const emptyChecks = await timed(count, 1, checkOnce);
  const emptyAudit = await timed(QUICK ? 30 : 100, 1, async () => void (await auditPage()));
  const emptyAccess = await timed(QUICK ? 30 : 100, 1, async () => void (await accessPage()));

  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: ctx.stack.dynamodbUrl, region: 'eu-central-1', credentials: local }),
  );
  const write = async (items: Record<string, unknown>[]) => {
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
    await pool(batches, 16, async (batch) => {
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const { UnprocessedItems } = await doc.send(
          new BatchWriteCommand({ RequestItems: { [TABLE]: requests } }),
        );
        requests = (UnprocessedItems?.[TABLE] ?? []) as typeof requests;
      }
    });
  };
  const store0 = tableStores(doc, TABLE, new CursorCodec(await localCursorKey(ctx.dataDir))).chain;
  const started = Date.now();
  const ids = monotonicFactory();
  const now = Date.now();
  const grants: Record<string, unknown>[] = [];
  for (let i = 0; i < grantCount; i++) {
    const grant: StoredGrant = {
      grantId: ids(now),
      tenantId: `scale-${i}`,
      status: 'active',
      reason: 'scale',
      ticket: null,
      grantedBy: { contactId: 'c', name: 'Scale', email: 'c@scale.example' },
      createdAt: new Date(now).toISOString(),
      // Spread over the next days; none overdue, none due for a reminder within the run.
      expiresAt: new Date(now + 3 * 86_400_000 + i * 1000).toISOString(),
      endedAt: null,
      endedBy: null,
      endReason: null,
      version: 1,
      remindAt: null,
    };
    grants.push(grantItem(grant, IndexShards.single), pointerItem(grant, IndexShards.single));
  }
  await write(grants);
  // The log is written already chained (hash and head), as a long-lived tenant's is: the chainer
  // has nothing to catch up on, so what is measured is the size, not a backlog.
  const events: Record<string, unknown>[] = [];
  const head = await store0.getChainHead(big.tenantId);
  let hash = head?.hash ?? GENESIS_HASH;
  let seq = head?.seq ?? 0;
  let lastId = '';
  for (let i = 0; i < eventCount; i++) {
    const event: AuditEvent = {
      eventId: ids(now - 200_000 + i),
      tenantId: big.tenantId,
      at: new Date(now - 200_000 + i).toISOString(),
      type: 'support.activity',
      actor: 'agent@vendor.example',
      grantId: big.grantId,
      details: { action: `step ${i}`, target: null, ticket: null },
    };
    hash = chainHash(hash, event);
    seq++;
    lastId = event.eventId;
    events.push({ ...eventItem(event), hash, seq });
  }
  await write(events);
  await write([
    {
      pk: `TENANT#${big.tenantId}`,
      sk: 'CHAIN',
      kind: 'chain',
      tenantId: big.tenantId,
      hash,
      eventId: lastId,
      seq,
    },
  ]);
  log(`scale: wrote ${grantCount} active grants and ${eventCount} events in ${Date.now() - started} ms`);

  await timed(100, 1, checkOnce);
  const fullChecks = await timed(count, 1, checkOnce);
  const ratio = percentile(fullChecks, 99) / percentile(emptyChecks, 99);
  add({
    name: `scale: access check p99 with ${grantCount} active grants and ${eventCount} events in the tenant's log / before`,
    value: round(ratio),
    unit: `ratio (p99 ${round(percentile(fullChecks, 99))} ms vs ${round(percentile(emptyChecks, 99))} ms; p50 ${round(percentile(fullChecks, 50))} vs ${round(percentile(emptyChecks, 50))})`,
    target: '≤ 1.1',
    pass: ratio <= 1.1,
  });

  // A page deep in each list against the first page before the data was there.
  const deep = async (
    page: (cursor?: string) => Promise<{ body: { nextCursor: string | null } }>,
    pages: number,
  ) => {
    let cursor: string | undefined;
    for (let i = 0; i < pages; i++) cursor = (await page(cursor)).body.nextCursor ?? undefined;
    return cursor;
  };
  const firstAudit = await timed(QUICK ? 30 : 100, 1, async () => void (await auditPage()));
  const firstAccess = await timed(QUICK ? 30 : 100, 1, async () => void (await accessPage()));
  const auditCursor = await deep(auditPage, 40);
  const deepAudit = await timed(QUICK ? 30 : 100, 1, async () => void (await auditPage(auditCursor)));
  const accessCursor = await deep(accessPage, 40);
  const deepAccess = await timed(QUICK ? 30 : 100, 1, async () => void (await accessPage(accessCursor)));
  const pageRow = (what: string, deepPage: number[], first: number[], small: number[]) => {
    const ratio = percentile(deepPage, 50) / percentile(first, 50);
    add({
      name: `scale: ${what}, page 41 / page 1 (50 per page, p50)`,
      value: round(ratio),
      unit: `ratio (${round(percentile(deepPage, 50))} ms vs ${round(percentile(first, 50))} ms; page 1 before the data: ${round(percentile(small, 50))} ms)`,
      target: '≤ 1.25',
      pass: ratio <= 1.25,
    });
  };
  pageRow(`audit log of ${eventCount} events`, deepAudit, firstAudit, emptyAudit);
  // Where a deep audit page's time goes: the same two pages through the API and straight from
  // the store's query (no gateway, no function), interleaved so the machine's load falls on all
  // four alike, with the answers' sizes.
  const audit = tableStores(doc, TABLE, new CursorCodec(await localCursorKey(ctx.dataDir))).audit;
  const series = {
    api1: [] as number[],
    api41: [] as number[],
    store1: [] as number[],
    store41: [] as number[],
  };
  const time = async (into: number[], task: () => Promise<unknown>) => {
    const started = performance.now();
    await task();
    into.push(performance.now() - started);
  };
  for (let i = 0; i < (QUICK ? 30 : 100); i++) {
    await time(series.api1, () => auditPage());
    await time(series.api41, () => auditPage(auditCursor));
    await time(series.store1, () => audit.listEvents(big.tenantId, { limit: 50 }));
    await time(series.store41, () => audit.listEvents(big.tenantId, { limit: 50, cursor: auditCursor }));
  }
  const bytes = async (cursor?: string) => JSON.stringify((await auditPage(cursor)).body).length;
  const p50 = (values: number[]) => round(percentile(values, 50));
  add({
    name: 'scale: audit page 41 / page 1 interleaved, through the API and from the store alone (p50)',
    value: round(percentile(series.api41, 50) / percentile(series.api1, 50)),
    unit: `ratio through the API (${p50(series.api41)} vs ${p50(series.api1)} ms); from the store's query alone ${round(percentile(series.store41, 50) / percentile(series.store1, 50))} (${p50(series.store41)} vs ${p50(series.store1)} ms); answers ${await bytes(auditCursor)} vs ${await bytes()} bytes`,
    target: '≤ 1.25',
    pass: percentile(series.api41, 50) / percentile(series.api1, 50) <= 1.25,
  });
  pageRow(`GET /access with ${grantCount} active grants`, deepAccess, firstAccess, emptyAccess);

  // The sweep's read: overdue grants only, whatever the number of active ones.
  let readUnits = 0;
  const counting = new DynamoDBClient({
    endpoint: ctx.stack.dynamodbUrl,
    region: 'eu-central-1',
    credentials: local,
  });
  counting.middlewareStack.add(
    (next) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
      readUnits += consumed?.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'countReads' },
  );
  const { grants: store } = tableStores(
    DynamoDBDocumentClient.from(counting),
    TABLE,
    new CursorCodec(await localCursorKey(ctx.dataDir)),
  );
  const overdue = await store.listOverdueGrants(new Date(), { limit: 100 });
  const due = await store.listDueReminders(new Date(), { limit: 100 });
  add({
    name: `scale: the sweep's reads with ${grantCount} active grants (overdue grants, due reminders)`,
    value: readUnits,
    unit: `read units as DynamoDB Local reports them (${overdue.items.length} overdue, ${due.items.length} reminders due found; DynamoDB bills at least 0.5 per query)`,
    target: '≤ 2',
    pass: readUnits <= 2,
  });
}
