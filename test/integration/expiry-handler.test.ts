import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { EventBridgeGrantScheduler } from '../../functions/adapters/scheduler.ts';
import {
  changeGrantDeadline,
  expireGrant,
  getGrant,
  sweepOverdueGrants,
} from '../../functions/use-cases/grants.ts';
import { listAudit } from '../../functions/use-cases/support.ts';
import { freePort } from '../../local/ports.ts';
import { givenActiveGrant, silentLog, testDeps, withActiveGrant } from '../support/deps.ts';

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
