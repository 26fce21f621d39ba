import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import { chainHash, GENESIS_HASH, verifyChain } from '../../functions/domain/audit-chain.ts';
import {
  CHAIN_SETTLE_MS,
  chainAuditLog,
  EXPORT_PAGE_BYTES,
  exportAudit,
  grantReceipt,
  recordActivity,
} from '../../functions/use-cases/audit.ts';
import { newEvent } from '../../functions/use-cases/events.ts';
import { revokeGrant } from '../../functions/use-cases/grants.ts';
import { checkAccess, listAudit, verifyCaller } from '../../functions/use-cases/support.ts';
import { givenActiveGrant } from '../support/deps.ts';
import { sampleDetails } from '../support/event-samples.ts';
import { recordChecksFromStream } from '../support/stream.ts';

type Given = Awaited<ReturnType<typeof givenActiveGrant>>;

/** An access check, and its `access.checked` event written as the chaining step writes it. */
async function check(t: Given, agent: string) {
  await checkAccess(t.deps, 'acme', agent);
  await recordChecksFromStream(t);
}

/** The whole export of `acme`, page by page, as the NDJSON lines a customer downloads. */
async function exportLines(t: Given): Promise<string[]> {
  const lines: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await exportAudit(t.deps, 'acme', { limit: 7, cursor });
    lines.push(...page.events.map((e) => JSON.stringify(e)));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return lines;
}

/** A grant with some history, all of it chained; returns the head a customer would keep. */
async function chainedHistory() {
  const t = await givenActiveGrant({ seconds: 3600 });
  for (let i = 0; i < 4; i++) await checkAccess(t.deps, 'acme', `agent${i % 2}@vendor.example`);
  await recordChecksFromStream(t);
  t.clock.advance(CHAIN_SETTLE_MS + 1);
  const result = await chainAuditLog(t.deps, 'acme');
  return { ...t, kept: result.head as string, count: result.chained };
}

/** The attacker with write access to the table: event items in chain order. */
async function storedEvents(t: Given) {
  const { Items = [] } = await t.doc.send(
    new QueryCommand({
      TableName: t.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': keys.tenant('acme'), ':p': keys.eventPrefix },
    }),
  );
  return Items;
}

/** …who then recomputes every hash and the head, so the chain verifies again on its own. */
async function recomputeEverything(t: Given) {
  let previous = GENESIS_HASH;
  let seq = 0;
  let last: Record<string, unknown> | undefined;
  for (const item of await storedEvents(t)) {
    previous = chainHash(previous, item as never);
    seq++;
    await t.doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET #h = :h, seq = :s',
        ExpressionAttributeNames: { '#h': 'hash' },
        ExpressionAttributeValues: { ':h': previous, ':s': seq },
      }),
    );
    last = item;
  }
  await t.doc.send(
    new PutCommand({
      TableName: t.tableName,
      Item: {
        pk: keys.tenant('acme'),
        sk: keys.chainHead,
        kind: 'chain',
        hash: previous,
        eventId: last?.eventId,
        seq,
      },
    }),
  );
}

describe('the hash-chained audit log (DynamoDB Local)', () => {
  it('chains settled events in log order; the export verifies and ends at the head', async () => {
    const t = await chainedHistory();
    // contact.added, grant.created and 4 checks.
    expect(t.count).toBe(6);
    const lines = await exportLines(t);
    expect(lines).toHaveLength(6);
    expect(verifyChain(lines, t.kept)).toEqual({ ok: true, events: 6, head: t.kept });
    expect((await t.store.getChainHead('acme'))?.hash).toBe(t.kept);
    const ids = lines.map((l) => JSON.parse(l).eventId);
    expect(ids).toEqual([...ids].sort());
    // Every event in the log now carries its hash.
    for (const e of (await listAudit(t.deps, 'acme', { limit: 50 })).items)
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves events that may still be joined by earlier ones for the next run', async () => {
    const t = await givenActiveGrant({ seconds: 3600 });
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    await check(t, 'agent@vendor.example');
    expect((await chainAuditLog(t.deps, 'acme')).chained).toBe(2);
    expect((await exportLines(t)).map((l) => JSON.parse(l).type)).toEqual(['contact.added', 'grant.created']);
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    expect((await chainAuditLog(t.deps, 'acme')).chained).toBe(1);
    expect(verifyChain(await exportLines(t))).toMatchObject({ ok: true, events: 3 });
  });

  it('concurrent chaining runs never fork or double the chain', async () => {
    const t = await givenActiveGrant({ seconds: 3600 });
    for (let i = 0; i < 120; i++) await check(t, 'agent@vendor.example');
    await recordChecksFromStream(t);
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    const runs = await Promise.all([1, 2, 3].map(() => chainAuditLog(t.deps, 'acme')));
    expect(runs.reduce((n, r) => n + r.chained, 0)).toBe(122);
    const lines = await exportLines(t);
    expect(verifyChain(lines)).toMatchObject({ ok: true, events: 122 });
    expect(new Set(lines.map((l) => JSON.parse(l).hash)).size).toBe(122);
    // 120 chainings in transactions of 100 on a DynamoDB Local shared with the other files: slow
    // when the machine is busy (20 s seen), so more room than the project's 30 s.
  }, 90_000);

  describe('export pages are bounded by bytes as well as by count', () => {
    /** `n` chained instruction events of `size` characters of details each (a 4-byte emoji per character). */
    async function bigEvents(n: number, size: (i: number) => number) {
      const t = await givenActiveGrant({ seconds: 3600 });
      for (let i = 0; i < n; i++)
        await t.store.appendEventOnce(
          newEvent(t.deps, t.clock.now(), 'acme', 'instruction.requested', 'ada@acme.test', null, {
            ...sampleDetails()['instruction.requested'],
            instructionId: `I${i}`,
            kind: 'other',
            details: '😀'.repeat(size(i)),
          }),
        );
      t.clock.advance(CHAIN_SETTLE_MS + 1);
      const { head, chained } = await chainAuditLog(t.deps, 'acme');
      return { ...t, head: head as string, total: chained };
    }

    /** Every page from the start: its NDJSON, its size as Lambda carries it, its events. */
    async function pages(t: Given, limit: number, maxBytes?: number) {
      const all: { ndjson: string; carried: number; count: number }[] = [];
      let cursor: string | undefined;
      do {
        const page = await exportAudit(t.deps, 'acme', { limit, cursor }, maxBytes);
        expect(page.ndjson).toBe(page.events.map((e) => `${JSON.stringify(e)}\n`).join(''));
        all.push({
          ndjson: page.ndjson,
          carried: Buffer.byteLength(JSON.stringify(page.ndjson)),
          count: page.events.length,
        });
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return all;
    }

    it('520 events of 8 KB are within the count of 1 000 but over 4 MB: each answer stays within 4 MB, and the pages join into the whole chain', async () => {
      const t = await bigEvents(520, () => 2000);
      const exported = await pages(t, 1000);
      expect(exported.length).toBeGreaterThan(1);
      // The byte bound, not the count, ended the first page.
      expect(exported[0]?.count).toBeLessThan(t.total);
      for (const page of exported) {
        expect(Buffer.byteLength(page.ndjson)).toBeLessThanOrEqual(EXPORT_PAGE_BYTES);
        expect(page.carried).toBeLessThanOrEqual(EXPORT_PAGE_BYTES);
      }
      const lines = exported.flatMap((p) => p.ndjson.split('\n').filter(Boolean));
      expect(lines).toHaveLength(t.total);
      expect(verifyChain(lines, t.head)).toEqual({ ok: true, events: t.total, head: t.head });
    }, 90_000);

    it('each cursor continues right after the last event sent, at any budget; an event larger than the budget goes alone', async () => {
      const t = await bigEvents(30, (i) => [10, 400, 3, 1500, 50][i % 5] as number);
      const whole = (await pages(t, 100)).flatMap((p) => p.ndjson.split('\n').filter(Boolean));
      expect(whole).toHaveLength(t.total);
      for (const budget of [100, 3_000, 9_000, 20_000]) {
        const exported = await pages(t, 7, budget);
        for (const page of exported) if (page.count > 1) expect(page.carried).toBeLessThanOrEqual(budget);
        expect(exported.flatMap((p) => p.ndjson.split('\n').filter(Boolean))).toEqual(whole);
      }
      // A budget smaller than any event: one event per page, none skipped or repeated.
      expect((await pages(t, 7, 100)).map((p) => p.count)).toEqual(Array(t.total).fill(1));
    });
  });

  describe('tampering directly in the table is caught against a kept head', () => {
    it('an edited event: the export names its line; with every hash recomputed, the kept head is missing', async () => {
      const t = await chainedHistory();
      const victim = (await storedEvents(t))[3] as Record<string, unknown>;
      await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: { pk: victim.pk, sk: victim.sk },
          UpdateExpression: 'SET actor = :a',
          ExpressionAttributeValues: { ':a': 'nobody@vendor.example' },
        }),
      );
      expect(verifyChain(await exportLines(t), t.kept)).toMatchObject({ ok: false, line: 4 });
      await recomputeEverything(t);
      expect(verifyChain(await exportLines(t))).toMatchObject({ ok: true });
      expect(verifyChain(await exportLines(t), t.kept)).toMatchObject({
        ok: false,
        reason: expect.stringContaining('is not in this chain'),
      });
    });

    it('a dropped event', async () => {
      const t = await chainedHistory();
      const victim = (await storedEvents(t))[2] as Record<string, unknown>;
      await t.doc.send(new DeleteCommand({ TableName: t.tableName, Key: { pk: victim.pk, sk: victim.sk } }));
      expect(verifyChain(await exportLines(t), t.kept)).toMatchObject({ ok: false, line: 3 });
      await recomputeEverything(t);
      expect(verifyChain(await exportLines(t), t.kept)).toMatchObject({ ok: false, line: 0 });
    });

    it('two events reordered (their contents swapped)', async () => {
      const t = await chainedHistory();
      const [, , a, b] = (await storedEvents(t)) as Record<string, unknown>[];
      const swap = async (item: Record<string, unknown>, from: Record<string, unknown>) =>
        t.doc.send(
          new PutCommand({
            TableName: t.tableName,
            Item: {
              ...from,
              pk: item.pk,
              sk: item.sk,
              eventId: item.eventId,
              hash: item.hash,
              seq: item.seq,
            },
          }),
        );
      await swap(a as Record<string, unknown>, b as Record<string, unknown>);
      await swap(b as Record<string, unknown>, a as Record<string, unknown>);
      expect(verifyChain(await exportLines(t), t.kept)).toMatchObject({ ok: false, line: 3 });
      await recomputeEverything(t);
      expect(verifyChain(await exportLines(t), t.kept)).toMatchObject({ ok: false, line: 0 });
    });

    it('an inserted (back-dated) event', async () => {
      const t = await chainedHistory();
      const [before] = (await storedEvents(t)) as Record<string, unknown>[];
      // Earlier than every real event: the forger back-dates it.
      const forgedId = '0'.repeat(26);
      await t.doc.send(
        new PutCommand({
          TableName: t.tableName,
          Item: {
            ...before,
            sk: keys.event(forgedId),
            eventId: forgedId,
            at: new Date(0).toISOString(),
            type: 'grant.revoked',
            actor: 'ada@acme.test',
            hash: before?.hash,
          },
        }),
      );
      expect(verifyChain(await exportLines(t), t.kept)).toMatchObject({ ok: false });
      await recomputeEverything(t);
      expect(verifyChain(await exportLines(t))).toMatchObject({ ok: true, events: 7 });
      expect(verifyChain(await exportLines(t), t.kept)).toMatchObject({ ok: false, line: 0 });
      // Dated like the events around it but with an id from before them: caught with no head at all.
      await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: { pk: keys.tenant('acme'), sk: keys.event(forgedId) },
          UpdateExpression: 'SET #at = :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': before?.at },
        }),
      );
      await recomputeEverything(t);
      expect(verifyChain(await exportLines(t))).toMatchObject({
        ok: false,
        line: 1,
        reason: expect.stringContaining('more than 60 s'),
      });
    });

    it('a deleted head: the chain is not rewritten from scratch, and what was chained still verifies', async () => {
      const t = await chainedHistory();
      await t.doc.send(
        new DeleteCommand({ TableName: t.tableName, Key: { pk: keys.tenant('acme'), sk: keys.chainHead } }),
      );
      const head = await t.doc.send(
        new GetCommand({ TableName: t.tableName, Key: { pk: keys.tenant('acme'), sk: keys.chainHead } }),
      );
      expect(head.Item).toBeUndefined();
      await check(t, 'agent@vendor.example');
      t.clock.advance(CHAIN_SETTLE_MS + 1);
      await expect(chainAuditLog(t.deps, 'acme')).rejects.toThrow(/behind its chained events/);
      // The stored hashes still verify against the kept head: nothing was lost.
      expect(verifyChain(await exportLines(t), t.kept)).toMatchObject({ ok: true, head: t.kept });
    });
  });
});

describe('support activity and receipts (DynamoDB Local)', () => {
  it('records activity only under an active grant, and the receipt lists everything support did', async () => {
    const t = await givenActiveGrant({ seconds: 3600 });
    await check(t, 'anna.agent@vendor.example');
    await check(t, 'bo.agent@vendor.example');
    await verifyCaller(
      t.deps,
      'acme',
      'anna.agent@vendor.example',
      { email: 'ada@acme.test' },
      t.clock.now(),
    );
    const recorded = await recordActivity(t.deps, 'acme', 'bo.agent@vendor.example', {
      action: ' opened payroll run 2026-10 ',
      target: 'payroll/2026-10',
      ticket: 'SUP-1',
    });
    expect(recorded).toMatchObject({ grantId: t.grant.grantId });
    await revokeGrant(t.deps, 'acme', t.grant.grantId, t.ada, t.clock.now());
    await expect(
      recordActivity(t.deps, 'acme', 'bo.agent@vendor.example', { action: 'too late' }),
    ).rejects.toMatchObject({ code: 'no-active-grant' });
    await expect(
      recordActivity(t.deps, 'acme', 'bo.agent@vendor.example', { action: 'two\nlines' }),
    ).rejects.toMatchObject({ code: 'validation-failed' });
    // Checks after the end belong to no grant.
    await check(t, 'late.agent@vendor.example');
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    await chainAuditLog(t.deps, 'acme');
    const receipt = await grantReceipt(t.deps, 'acme', t.grant.grantId, t.clock.now());
    expect(receipt).toMatchObject({
      grant: { grantId: t.grant.grantId, status: 'revoked' },
      accessChecks: 2,
      callerVerifications: 1,
      agents: ['anna.agent@vendor.example', 'bo.agent@vendor.example'],
      activities: [
        {
          type: 'support.activity',
          actor: 'bo.agent@vendor.example',
          details: { action: 'opened payroll run 2026-10', target: 'payroll/2026-10', ticket: 'SUP-1' },
        },
      ],
      auditHead: (await t.store.getChainHead('acme'))?.hash,
    });
    await expect(
      grantReceipt(t.deps, 'acme', '01ARZ3NDEKTSV4RRFFQ69G5FAV', t.clock.now()),
    ).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('an activity racing the grant’s end is refused, never written under an ended grant', async () => {
    const t = await givenActiveGrant({ seconds: 3600 });
    const access = await t.store.getActiveAccess('acme');
    await revokeGrant(t.deps, 'acme', t.grant.grantId, t.ada, t.clock.now());
    const event = {
      eventId: t.deps.ids.next(t.clock.now()),
      tenantId: 'acme',
      at: t.clock.now().toISOString(),
      type: 'support.activity' as const,
      actor: 'agent@vendor.example',
      grantId: t.grant.grantId,
      details: { action: 'read before the end, written after', target: null, ticket: null },
    };
    // Read while active, written after the revocation: the pointer check refuses it.
    await expect(t.store.appendWhileActive(event, access, t.clock.now())).rejects.toMatchObject({
      code: 'no-active-grant',
    });
    const types = (await listAudit(t.deps, 'acme', { limit: 20 })).items.map((e) => e.type);
    expect(types).not.toContain('support.activity');
  });
});
