import { createServer, type Server, type Socket } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { clientConfig, dynamoDocumentClient } from '../../functions/adapters/aws-clients.ts';
import { EventBridgeGrantScheduler } from '../../functions/adapters/scheduler.ts';
import {
  changeGrantDeadline,
  createGrant,
  expireGrant,
  getGrant,
  listGrants,
  sweepOverdueGrants,
} from '../../functions/use-cases/grants.ts';
import { checkAccess, listAudit } from '../../functions/use-cases/support.ts';
import { tableStores } from '../../functions/wiring/stores.ts';
import { freePort } from '../../local/ports.ts';
import { grantFrom, seedContact, testCursors, testDeps, withActiveGrant } from '../support/deps.ts';
import { faultyProxy } from '../support/faulty-proxy.ts';
import { recordChecksFromStream } from '../support/stream.ts';
import { localClientConfig, localCredentials } from '../support/table.ts';

/** Use-case dependencies whose DynamoDB traffic passes through a fault-injecting proxy. */
async function behindProxy() {
  const t = await testDeps();
  const proxy = await faultyProxy(inject('dynamoEndpoint'));
  onTestFinished(proxy.close);
  const client = new DynamoDBClient({
    ...localClientConfig(proxy.endpoint, 3),
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({ requestTimeout: 1000, throwOnRequestTimeout: true }),
  });
  const stores = tableStores(dynamoDocumentClient(client), t.tableName, testCursors());
  return { ...t, proxy, faulty: { ...t.deps, ...stores } };
}

describe('faults at the adapter boundaries', () => {
  it('DynamoDB throttling is retried by the SDK: the grant is created once', async () => {
    const { deps, faulty, proxy, clock } = await behindProxy();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    proxy.inject({
      operation: 'TransactWriteItems',
      times: 2,
      status: 400,
      errorType: 'ThrottlingException',
    });
    const grant = await grantFrom({ deps: faulty, clock }, ada, { seconds: 600 });
    expect(proxy.seen.filter((op) => op === 'TransactWriteItems')).toHaveLength(3);
    expect(
      (await listGrants(deps, 'acme', { limit: 10 }, undefined, clock.now())).items.map((g) => g.grantId),
    ).toEqual([grant.grantId]);
  });

  it('persistent DynamoDB 5xx fails the request cleanly with nothing half-written', async () => {
    const { deps, faulty, proxy, clock, scheduler } = await behindProxy();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    const before = (await listAudit(deps, 'acme', { limit: 50 })).items;
    proxy.inject({
      operation: 'TransactWriteItems',
      times: Number.POSITIVE_INFINITY,
      status: 500,
      errorType: 'InternalServerError',
    });
    await expect(
      createGrant(faulty, 'acme', ada, { reason: 'r', durationSeconds: 600 }, clock.now()),
    ).rejects.toMatchObject({
      name: 'InternalServerError',
    });
    expect(await deps.grants.getActiveAccess('acme')).toBeNull();
    expect((await listGrants(deps, 'acme', { limit: 10 }, undefined, clock.now())).items).toEqual([]);
    expect((await listAudit(deps, 'acme', { limit: 50 })).items).toEqual(before);
    expect(scheduler.calls).toEqual([]); // no schedule for a grant that does not exist
  });

  it('a write that meets another in flight on the same item (TransactionConflict) is tried again, never failed', async () => {
    const t = await behindProxy();
    const { faulty, proxy, clock } = t;
    const { ada, grant } = await withActiveGrant(t, { seconds: 600 });
    proxy.inject({
      operation: 'TransactWriteItems',
      times: 3,
      status: 400,
      errorType: 'TransactionCanceledException',
      body: { CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }, { Code: 'None' }] },
    });
    const extended = await changeGrantDeadline(
      faulty,
      'acme',
      grant.grantId,
      ada,
      { durationSeconds: 1200 },
      clock.now(),
    );
    expect(extended.expiresAt).toBe(new Date(clock.now().getTime() + 1_200_000).toISOString());
    proxy.inject({
      operation: 'UpdateItem',
      times: 3,
      status: 400,
      errorType: 'TransactionConflictException',
    });
    expect(await checkAccess(faulty, 'acme', 'agent@vendor.example')).toMatchObject({ access: true });
    expect(proxy.seen.filter((op) => op === 'UpdateItem')).toHaveLength(4);
    expect(await recordChecksFromStream(t)).toBe(1);
  });

  it('an access check whose recording write fails gives no answer at all', async () => {
    const t = await behindProxy();
    const { deps, faulty, proxy } = t;
    await withActiveGrant(t, { seconds: 600 });
    proxy.inject({ operation: 'UpdateItem', times: Number.POSITIVE_INFINITY, status: 500 });
    await expect(checkAccess(faulty, 'acme', 'agent@vendor.example')).rejects.toMatchObject({
      $metadata: { httpStatusCode: 500 },
    });
    // Nothing recorded, so nothing answered.
    expect(await recordChecksFromStream(t)).toBe(0);
    const checks = (await listAudit(deps, 'acme', { limit: 50 })).items.filter(
      (e) => e.type === 'access.checked',
    );
    expect(checks).toEqual([]);
  });

  it('a failed expiry is harmless: access already ended at the deadline, and the retry or the sweep ends it once', async () => {
    const { deps, faulty, proxy, clock, grant } = await withActiveGrant(await behindProxy(), {});
    clock.advance(300_000);
    proxy.inject({
      operation: 'TransactWriteItems',
      times: Number.POSITIVE_INFINITY,
      status: 503,
      errorType: 'ServiceUnavailable',
    });
    await expect(expireGrant(faulty, 'acme', grant.grantId)).rejects.toMatchObject({
      name: 'ServiceUnavailable',
      $metadata: { httpStatusCode: 503 },
    });
    expect((await checkAccess(deps, 'acme', 'agent@vendor.example')).access).toBe(false);
    expect(await getGrant(deps, 'acme', grant.grantId, clock.now())).toMatchObject({ status: 'expired' });
    proxy.clear();
    expect((await sweepOverdueGrants(faulty)).expired).toBe(1);
    expect((await expireGrant(faulty, 'acme', grant.grantId)).outcome).toBe('already-ended');
    const terminal = (await listAudit(deps, 'acme', { limit: 50 })).items.filter(
      (e) => e.type === 'grant.expired',
    );
    expect(terminal).toHaveLength(1);
  });

  it('DynamoDB timeouts fail the request; the client does not hang', async () => {
    const { deps, faulty, proxy, clock } = await behindProxy();
    const ada = await seedContact(deps, 'acme', 'ada@acme.test');
    proxy.inject({ operation: 'GetItem', times: Number.POSITIVE_INFINITY, hang: true });
    const started = Date.now();
    await expect(
      createGrant(faulty, 'acme', ada, { reason: 'r', durationSeconds: 600 }, clock.now()),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await deps.grants.getActiveAccess('acme')).toBeNull();
  });

  it('a Scheduler that times out never fails or blocks the grant; the sweep ends it on time', async () => {
    const t = await testDeps();
    // Accepts connections and never answers.
    const port = await freePort();
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    onTestFinished(
      () =>
        new Promise((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    // The production client settings, pointed at the silent server.
    t.deps.scheduler = new EventBridgeGrantScheduler(
      new SchedulerClient({
        ...clientConfig({ maxAttempts: 2, requestTimeout: 1500 }),
        endpoint: `http://127.0.0.1:${port}`,
        region: 'eu-central-1',
        credentials: localCredentials,
      }),
      {
        groupName: 'g',
        expiryFunctionArn: 'arn:aws:lambda:eu-central-1:000000000000:function:f',
        roleArn: 'arn:aws:iam::000000000000:role/r',
        deadLetterQueueArn: 'arn:aws:sqs:eu-central-1:000000000000:q',
        maxRetries: 1,
        maxEventAgeSeconds: 60,
      },
    );
    const ada = await seedContact(t.deps, 'acme', 'ada@acme.test');
    const started = Date.now();
    const grant = await grantFrom(t, ada);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await getGrant(t.deps, 'acme', grant.grantId, t.clock.now())).toMatchObject({ status: 'active' });
    t.clock.advance(300_000);
    expect((await checkAccess(t.deps, 'acme', 'agent@vendor.example')).access).toBe(false);
    expect((await sweepOverdueGrants(t.deps)).expired).toBe(1);
  });

  it('a crash between the state change and the schedule call loses nothing: the sweep ends the grant', async () => {
    const t = await testDeps();
    // The process "dies" while scheduling: the call never completes and its caller is gone.
    const crashed = {
      ...t.deps,
      scheduler: { ...t.deps.scheduler, schedule: () => new Promise<void>(() => {}) },
    };
    const ada = await seedContact(t.deps, 'acme', 'ada@acme.test');
    void createGrant(crashed, 'acme', ada, { reason: 'r', durationSeconds: 300 }, t.clock.now());
    let access = await t.deps.grants.getActiveAccess('acme');
    for (let i = 0; !access && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      access = await t.deps.grants.getActiveAccess('acme');
    }
    expect(access).not.toBeNull();
    // A fresh process, later: the sweep ends it at the deadline.
    t.clock.advance(300_000);
    expect((await sweepOverdueGrants(t.deps)).expired).toBe(1);
    expect(
      (await listAudit(t.deps, 'acme', { limit: 50 })).items.filter((e) => e.type === 'grant.expired'),
    ).toHaveLength(1);
  });
});
