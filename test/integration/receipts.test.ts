import { BatchWriteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { eventItem } from '../../functions/adapters/dynamodb/items.ts';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import { accessCheckedEvent } from '../../functions/domain/access-check.ts';
import { chainHash, GENESIS_HASH, verifyChain } from '../../functions/domain/audit-chain.ts';
import { ulidGenerator } from '../../functions/domain/ids.ts';
import {
  CHAIN_SETTLE_MS,
  chainAuditLog,
  exportAudit,
  grantReceipt,
  recordActivity,
} from '../../functions/use-cases/audit.ts';
import { forEachConcurrently } from '../../functions/use-cases/deps.ts';
import { revokeGrant } from '../../functions/use-cases/grants.ts';
import { notifyContacts } from '../../functions/use-cases/notify.ts';
import { checkAccess, listAudit, verifyCaller } from '../../functions/use-cases/support.ts';
import { givenActiveGrant, notifyDepsFor, RecordingMailer } from '../support/deps.ts';
import { recordChecksFromStream } from '../support/stream.ts';

type Given = Awaited<ReturnType<typeof givenActiveGrant>>;

async function exportLines(t: Given): Promise<string[]> {
  const lines: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await exportAudit(t.deps, 'acme', { limit: 50, cursor });
    lines.push(...page.events.map((e) => JSON.stringify(e)));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return lines;
}

/** Items DynamoDB hands back to this client: what a use case read, however it paged. */
function countReads(t: Given): { items: number } {
  const count = { items: 0 };
  t.doc.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = result.output as { Items?: unknown[]; Item?: unknown };
      count.items += (output.Items?.length ?? 0) + (output.Item ? 1 : 0);
      return result;
    },
    { step: 'initialize', name: 'countReads' },
  );
  return count;
}

describe('receipts under the head the customer keeps (DynamoDB Local)', () => {
  it('the end mail waits until the chain has passed the end event; its head covers every event of the grant, so an edit made after it fails', async () => {
    const t = await givenActiveGrant({ seconds: 3600, secondContact: true });
    await checkAccess(t.deps, 'acme', 'anna.agent@vendor.example');
    await recordActivity(t.deps, 'acme', 'anna.agent@vendor.example', { action: 'reset 2FA of user x' });
    await recordChecksFromStream(t);
    await revokeGrant(t.deps, 'acme', t.grant.grantId, t.ada, t.clock.now());
    const revoked = (await listAudit(t.deps, 'acme', { limit: 50 })).items.find(
      (e) => e.type === 'grant.revoked',
    );
    if (!revoked) throw new Error('no grant.revoked event');
    const mailer = new RecordingMailer();
    const notify = notifyDepsFor(t, mailer);
    // Not chained yet: nothing is sent (the stream hands it over again once the chain has sealed it).
    expect(await notifyContacts(notify, revoked)).toMatchObject({ sent: 0, retry: 2 });
    expect(mailer.sent).toHaveLength(0);
    t.clock.advance(CHAIN_SETTLE_MS + 1);
    await chainAuditLog(t.deps, 'acme');
    expect(await notifyContacts(notify, revoked)).toMatchObject({ sent: 2 });
    const head = (await t.store.getChainHead('acme'))?.hash as string;
    for (const mail of mailer.sent) expect(mail.text).toContain(head);
    expect(verifyChain(await exportLines(t), head)).toMatchObject({ ok: true });

    // Whoever can write the table edits the activity and recomputes every hash and the head.
    const { Items = [] } = await t.doc.send(
      new QueryCommand({
        TableName: t.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': keys.tenant('acme'), ':p': keys.eventPrefix },
      }),
    );
    let hash = GENESIS_HASH;
    for (const item of Items) {
      if (typeof item.hash !== 'string') continue;
      if (item.type === 'support.activity') item.details = { action: 'nothing happened' };
      hash = chainHash(hash, item as never);
      await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET details = :d, #h = :h',
          ExpressionAttributeNames: { '#h': 'hash' },
          ExpressionAttributeValues: { ':d': item.details, ':h': hash },
        }),
      );
    }
    await t.doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.tenant('acme'), sk: keys.chainHead },
        UpdateExpression: 'SET #h = :h',
        ExpressionAttributeNames: { '#h': 'hash' },
        ExpressionAttributeValues: { ':h': hash },
      }),
    );
    const lines = await exportLines(t);
    expect(verifyChain(lines)).toMatchObject({ ok: true });
    expect(verifyChain(lines, head)).toMatchObject({ ok: false });
  });

  it('an activity committed while the revocation was on its way (its id after the end event) is under the mailed head too', async () => {
    const t = await givenActiveGrant({ seconds: 3600, secondContact: true });
    t.clock.advance(1000);
    const received = t.clock.now(); // the revocation arrives
    t.clock.advance(50); // before it is written, support records an activity under the grant
    const activity = await recordActivity(t.deps, 'acme', 'agent@vendor.example', {
      action: 'exported payroll',
    });
    // The revocation's function (its own id generator) commits now, with the time it arrived.
    await revokeGrant({ ...t.deps, ids: ulidGenerator() }, 'acme', t.grant.grantId, t.ada, received);
    const revoked = (await listAudit(t.deps, 'acme', { limit: 50 })).items.find(
      (e) => e.type === 'grant.revoked',
    );
    if (!revoked) throw new Error('no grant.revoked event');
    expect(activity.eventId > revoked.eventId).toBe(true);
    // A chaining run whose cut falls just after the end: the end is sealed, the activity not yet.
    t.clock.advance(CHAIN_SETTLE_MS - 40);
    await chainAuditLog(t.deps, 'acme');
    expect((await t.store.getChainHead('acme'))?.eventId).toBe(revoked.eventId);
    const mailer = new RecordingMailer();
    const notify = notifyDepsFor(t, mailer);
    expect(await notifyContacts(notify, revoked)).toMatchObject({ sent: 0, retry: 2 });
    t.clock.advance(CHAIN_SETTLE_MS);
    await chainAuditLog(t.deps, 'acme');
    expect(await notifyContacts(notify, revoked)).toMatchObject({ sent: 2 });
    const head = (await t.store.getChainHead('acme'))?.eventId as string;
    expect(head >= activity.eventId).toBe(true);
    expect(mailer.sent[0]?.text).toContain('exported payroll');
  });

  it('a mail about the grant recorded after its end (not chained yet) does not hold the end mail back', async () => {
    const t = await givenActiveGrant({ seconds: 3600, secondContact: true });
    await revokeGrant(t.deps, 'acme', t.grant.grantId, t.ada, t.clock.now());
    const revoked = (await listAudit(t.deps, 'acme', { limit: 50 })).items.find(
      (e) => e.type === 'grant.revoked',
    );
    if (!revoked) throw new Error('no grant.revoked event');
    t.clock.advance(1);
    await chainAuditLog(t.deps, 'acme', 0);
    t.clock.advance(1);
    // The "granted" mail, sent late, is recorded now: just after the end event, unchained.
    await t.store.appendEvent({
      eventId: t.deps.ids.next(t.clock.now()),
      tenantId: 'acme',
      at: t.clock.now().toISOString(),
      type: 'notification.sent',
      actor: 'system',
      grantId: t.grant.grantId,
      details: {
        recipient: 'bob@acme.test',
        contactId: 'c-bob',
        eventId: 'E-granted',
        eventType: 'grant.created',
        messageId: 'm-1',
      },
    });
    const mailer = new RecordingMailer();
    expect(await notifyContacts(notifyDepsFor(t, mailer), revoked)).toMatchObject({ sent: 2, retry: 0 });
  });

  it('counts every check, verification and activity of the grant exactly once, however often the stream delivers them', async () => {
    const t = await givenActiveGrant({ seconds: 3600 });
    await checkAccess(t.deps, 'acme', 'anna.agent@vendor.example');
    await checkAccess(t.deps, 'acme', 'bo.agent@vendor.example');
    await verifyCaller(t.deps, 'acme', 'cy.agent@vendor.example', { email: 'ada@acme.test' }, t.clock.now());
    for (const action of ['first', 'second', 'third'])
      await recordActivity(t.deps, 'acme', 'bo.agent@vendor.example', { action });
    expect(await recordChecksFromStream(t)).toBe(2);
    expect(await recordChecksFromStream(t)).toBe(0);
    await revokeGrant(t.deps, 'acme', t.grant.grantId, t.ada, t.clock.now());
    // After the end, a check belongs to no grant.
    await checkAccess(t.deps, 'acme', 'late.agent@vendor.example');
    await recordChecksFromStream(t);
    const first = await grantReceipt(t.deps, 'acme', t.grant.grantId, t.clock.now(), { limit: 2 });
    expect(first).toMatchObject({
      accessChecks: 2,
      callerVerifications: 1,
      agents: ['anna.agent@vendor.example', 'bo.agent@vendor.example', 'cy.agent@vendor.example'],
      activityCount: 3,
    });
    expect(first.activities.map((a) => a.type === 'support.activity' && a.details.action)).toEqual([
      'first',
      'second',
    ]);
    const rest = await grantReceipt(t.deps, 'acme', t.grant.grantId, t.clock.now(), {
      limit: 2,
      cursor: first.nextCursor ?? undefined,
    });
    expect(rest.activities.map((a) => a.type === 'support.activity' && a.details.action)).toEqual(['third']);
    expect(rest.nextCursor).toBeNull();
  });

  it('a grant with 10 000 checks: its receipt reads a handful of items, not the checks', async () => {
    const t = await givenActiveGrant({ seconds: 3600 });
    const active = await t.store.getActiveAccess('acme');
    // Arrange fast: the events as the recorder writes them, and the counts it keeps with them.
    const events = Array.from({ length: 10_000 }, (_, i) =>
      accessCheckedEvent(
        {
          checkId: t.deps.ids.next(t.clock.now()),
          tenantId: 'acme',
          checkedAt: new Date(t.clock.now().getTime() + i).toISOString(),
          agent: `agent${i % 3}@vendor.example`,
        },
        active,
      ),
    );
    const batches = Array.from({ length: events.length / 25 }, (_, i) => events.slice(i * 25, i * 25 + 25));
    await forEachConcurrently(batches, 8, async (batch) => {
      await t.doc.send(
        new BatchWriteCommand({
          RequestItems: { [t.tableName]: batch.map((event) => ({ PutRequest: { Item: eventItem(event) } })) },
        }),
      );
    });
    await t.doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.tenant('acme'), sk: keys.grant(t.grant.grantId) },
        UpdateExpression: 'ADD receiptChecks :n, receiptAgents :agents',
        ExpressionAttributeValues: {
          ':n': events.length,
          ':agents': new Set(['agent0@vendor.example', 'agent1@vendor.example', 'agent2@vendor.example']),
        },
      }),
    );
    await recordActivity(t.deps, 'acme', 'agent0@vendor.example', { action: 'one thing' });
    const reads = countReads(t);
    const receipt = await grantReceipt(t.deps, 'acme', t.grant.grantId, t.clock.now());
    expect(receipt.accessChecks).toBe(10_000);
    expect(receipt.agents).toHaveLength(3);
    expect(receipt.activities).toHaveLength(1);
    // The grant (twice: its state and its counts), one page of activities and the head.
    expect(reads.items).toBeGreaterThanOrEqual(3);
    expect(reads.items).toBeLessThanOrEqual(4);
  }, 120_000);
});
