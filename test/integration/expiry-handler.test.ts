import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { parseScheduledWork } from '../../functions/adapters/expiry-event.ts';
import { EventBridgeGrantScheduler } from '../../functions/adapters/scheduler.ts';
import {
  changeGrantDeadline,
  expireGrant,
  getGrant,
  sweepOverdueGrants,
} from '../../functions/use-cases/grants.ts';
import { requestInstruction } from '../../functions/use-cases/instructions.ts';
import { EarlyInvocationError, runScheduledWork } from '../../functions/use-cases/scheduled-work.ts';
import { listAudit } from '../../functions/use-cases/support.ts';
import { freePort } from '../../local/ports.ts';
import type { FakeClock } from '../support/clock.ts';
import { givenActiveGrant, seedContact, silentLog, testDeps, withActiveGrant } from '../support/deps.ts';

describe('expiry is safe against every race', () => {
  it('duplicate, stale and concurrent invocations end the grant exactly once', async () => {
    const { deps, clock, grant } = await givenActiveGrant({ seconds: 600 });
    clock.advance(600_000);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => expireGrant(deps, 'acme', grant.grantId)),
    );
    expect(outcomes.filter((o) => o.outcome === 'expired')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'already-ended')).toHaveLength(5);
    expect((await sweepOverdueGrants(deps)).expired).toBe(0);
    const terminal = (await listAudit(deps, 'acme', { limit: 50 })).items.filter(
      (e) => e.type === 'grant.expired',
    );
    expect(terminal).toHaveLength(1);
  });

  it('a Scheduler that rejects every call loses nothing: the grant is created, extended and still ends on time', async () => {
    const t = await testDeps();
    // A real adapter pointed at a port where nothing listens.
    t.deps.scheduler = new EventBridgeGrantScheduler(
      new SchedulerClient({
        endpoint: `http://127.0.0.1:${await freePort()}`,
        region: 'eu-central-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      }),
      {
        groupName: 'g',
        expiryFunctionArn: 'arn:aws:lambda:eu-central-1:0:function:f',
        roleArn: 'arn:aws:iam::0:role/r',
        deadLetterQueueArn: 'arn:aws:sqs:eu-central-1:0:q',
        maxRetries: 1,
        maxEventAgeSeconds: 60,
      },
    );
    silentLog.errors.length = 0;
    const { ada, grant } = await withActiveGrant(t, { seconds: 600 });
    await changeGrantDeadline(t.deps, 'acme', grant.grantId, ada, { durationSeconds: 900 }, t.clock.now());
    expect(silentLog.errors.length).toBe(2);
    t.clock.advance(900_000);
    expect(await getGrant(t.deps, 'acme', grant.grantId, t.clock.now())).toMatchObject({ status: 'expired' });
    expect((await sweepOverdueGrants(t.deps)).expired).toBe(1);
    expect((await t.stores.grants.getGrant('acme', grant.grantId))?.status).toBe('expired');
  });
});

/** Waiting as the use case asks, on the fake clock: what it waited, and time moves on by as much. */
function waiting(clock: FakeClock) {
  const waited: number[] = [];
  return {
    waited,
    invocation: {
      wait: async (ms: number) => {
        waited.push(ms);
        clock.advance(ms);
      },
    },
  };
}

/** The expiry schedule's work for the grant of that version (acme's). */
const expiryOf = (grantId: string, version: number | undefined) =>
  ({ kind: 'expiry', tenantId: 'acme', grantId, version }) as const;

describe('scheduled work: each kind waits out an early invocation in one place (DynamoDB Local)', () => {
  it('an expiry that fires within seconds of the deadline waits for it and ends the grant on the dot', async () => {
    const t = await givenActiveGrant({ seconds: 600 });
    const grant = await t.stores.grants.getGrant('acme', t.grant.grantId);
    t.clock.set(new Date(Date.parse(t.grant.expiresAt) - 800));
    const { waited, invocation } = waiting(t.clock);
    const work = expiryOf(t.grant.grantId, grant?.version);
    expect(await runScheduledWork(t.deps, work, invocation)).toEqual({
      kind: 'expiry',
      outcome: 'expired',
      lateByMs: 5,
    });
    expect(waited).toEqual([805]);
  });

  it('too early to wait, or without the time left to: fails so the Scheduler retries, and changes nothing', async () => {
    const t = await givenActiveGrant({ seconds: 600 });
    const version = (await t.stores.grants.getGrant('acme', t.grant.grantId))?.version;
    const work = { kind: 'expiry' as const, tenantId: 'acme', grantId: t.grant.grantId, version };
    t.clock.set(new Date(Date.parse(t.grant.expiresAt) - 6_000));
    const { waited, invocation } = waiting(t.clock);
    await expect(runScheduledWork(t.deps, work, invocation)).rejects.toBeInstanceOf(EarlyInvocationError);
    t.clock.set(new Date(Date.parse(t.grant.expiresAt) - 2_000));
    await expect(
      runScheduledWork(t.deps, work, { ...invocation, remainingMs: () => 2_500 }),
    ).rejects.toBeInstanceOf(EarlyInvocationError);
    expect(waited).toEqual([]);
    expect((await t.stores.grants.getGrant('acme', t.grant.grantId))?.status).toBe('active');
  });

  it('a stale schedule (made for an earlier deadline) neither waits nor ends the grant', async () => {
    const t = await givenActiveGrant({ seconds: 600 });
    const version = (await t.stores.grants.getGrant('acme', t.grant.grantId))?.version ?? 0;
    t.clock.set(new Date(Date.parse(t.grant.expiresAt) - 500));
    const { waited, invocation } = waiting(t.clock);
    const stale = expiryOf(t.grant.grantId, version - 1);
    expect(await runScheduledWork(t.deps, stale, invocation)).toMatchObject({ outcome: 'not-due' });
    expect(waited).toEqual([]);
  });

  it('a reminder that fires early waits for its moment; one for an old deadline does not', async () => {
    const t = await givenActiveGrant({ seconds: 3 * 86_400 });
    const stored = await t.stores.grants.getGrant('acme', t.grant.grantId);
    if (!stored?.remindAt) throw new Error('no reminder pending');
    t.clock.set(new Date(Date.parse(stored.remindAt) - 1_000));
    const { waited, invocation } = waiting(t.clock);
    const work = { kind: 'reminder' as const, tenantId: 'acme', grantId: t.grant.grantId };
    expect(await runScheduledWork(t.deps, { ...work, version: stored.version - 1 }, invocation)).toEqual({
      kind: 'reminder',
      outcome: 'not-due',
    });
    expect(waited).toEqual([]);
    expect(await runScheduledWork(t.deps, { ...work, version: stored.version }, invocation)).toEqual({
      kind: 'reminder',
      outcome: 'reminded',
    });
    expect(waited).toEqual([1_005]);
  });

  it('a lapse, from a payload of either shape, names the instruction and lapses it once due', async () => {
    const t = await testDeps('2026-12-01T09:59:00.000Z');
    const ada = await seedContact(t.deps, 'acme', 'ada@acme.test');
    await seedContact(t.deps, 'acme', 'bob@acme.test');
    t.clock.set('2026-12-01T10:00:00.000Z');
    const kind = 'account-deletion' as const;
    const first = await requestInstruction(t.deps, 'acme', ada, { kind, details: 'a' }, t.clock.now());
    const second = await requestInstruction(t.deps, 'acme', ada, { kind, details: 'b' }, t.clock.now());
    const confirmBy = first.confirmBy as string;
    const current = parseScheduledWork({
      kind: 'lapse',
      tenantId: 'acme',
      instructionId: first.instructionId,
      confirmBy,
    });
    const earlier = parseScheduledWork({
      kind: 'lapse',
      tenantId: 'acme',
      grantId: second.instructionId,
      expiresAt: confirmBy,
    });
    const { waited, invocation } = waiting(t.clock);
    // Not due for days: retried later, never waited for.
    await expect(runScheduledWork(t.deps, current, invocation)).rejects.toBeInstanceOf(EarlyInvocationError);
    t.clock.set(new Date(Date.parse(confirmBy) - 300));
    expect(await runScheduledWork(t.deps, current, invocation)).toEqual({ kind: 'lapse', outcome: 'lapsed' });
    expect(waited).toEqual([305]);
    expect(await runScheduledWork(t.deps, earlier, invocation)).toEqual({ kind: 'lapse', outcome: 'lapsed' });
    expect(await runScheduledWork(t.deps, current, invocation)).toEqual({
      kind: 'lapse',
      outcome: 'not-pending',
    });
    expect((await t.stores.instructions.getInstruction('acme', second.instructionId))?.status).toBe('lapsed');
  });
});
