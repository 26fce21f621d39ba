import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBRecord } from 'aws-lambda';
import { expect, inject, it } from 'vitest';
import {
  auditEventOf,
  matchesNotifierFilter,
  matchesPublishFilter,
} from '../../functions/adapters/dynamodb/stream.ts';
import { EventBridgeBus } from '../../functions/adapters/event-bus.ts';
import type { EventBus } from '../../functions/domain/ports.ts';
import { publishRecords } from '../../functions/handlers/publish-events.ts';
import { revokeGrant } from '../../functions/use-cases/grants.ts';
import { startEventsEmulator } from '../../local/events-emulator.ts';
import { freePort } from '../../local/ports.ts';
import { startStreamPoller } from '../../local/stream-poller.ts';
import { testDeps, withActiveGrant } from '../support/deps.ts';
import { localClientConfig, localCredentials } from '../support/table.ts';
import { until } from '../support/until.ts';

const BUS = 'SupportAccess-test';

it('holds the events back while the bus is down, without holding up another consumer, and puts them all once it is back, in order (DynamoDB Local)', async () => {
  const t = await testDeps();
  const dataDir = await mkdtemp(join(tmpdir(), 'publisher-test-'));
  const port = await freePort();
  const client = new EventBridgeClient(localClientConfig(`http://127.0.0.1:${port}`));
  const real = new EventBridgeBus(client, BUS);
  let puts = 0;
  const bus: EventBus = {
    put: (events) => {
      puts++;
      return real.put(events);
    },
  };
  const streams = new DynamoDBStreamsClient({
    endpoint: inject('dynamoEndpoint'),
    region: 'eu-central-1',
    credentials: localCredentials,
  });
  const mailed: string[] = [];
  const common = {
    dynamodb: t.client,
    streams,
    tableName: t.tableName,
    dataDir,
    pollMs: 50,
    retryBaseMs: 100,
  };
  const publisher = await startStreamPoller({
    ...common,
    consumer: 'events',
    filter: matchesPublishFilter,
    handler: (event) => publishRecords(event, bus),
  });
  const notifier = await startStreamPoller({
    ...common,
    consumer: 'notify',
    filter: matchesNotifierFilter,
    handler: async (event) => {
      mailed.push(...event.Records.flatMap((r: DynamoDBRecord) => auditEventOf(r)?.eventId ?? []));
      return undefined;
    },
  });
  let stopEmulator = async () => {};
  try {
    const { ada, grant } = await withActiveGrant(t, { seconds: 600 });
    t.clock.advance(1000);
    await revokeGrant(t.deps, 'acme', grant.grantId, ada, t.clock.now());
    // The bus is down: the publisher keeps failing, the other consumer goes on.
    await until(
      async () => ({ puts, mailed: mailed.length }),
      (seen) => seen.puts >= 3 && seen.mailed >= 2,
      15_000,
      'the publisher to fail and the notifier to go on',
    );
    const emulator = await startEventsEmulator({ port, busNames: [BUS] });
    stopEmulator = emulator.stop;
    const delivered = await until(
      async () => emulator.events(),
      (events) => new Set(events.map((e) => (e.detail as { eventId: string }).eventId)).size === 3,
      40_000,
      'every event on the bus once it is back',
    );
    const ids = delivered.map((e) => (e.detail as { eventId: string }).eventId);
    expect(delivered.map((e) => e['detail-type'])).toEqual([
      'contact.added',
      'grant.created',
      'grant.revoked',
    ]);
    expect(ids).toEqual([...ids].sort());
  } finally {
    await publisher.stop();
    await notifier.stop();
    await stopEmulator();
    await rm(dataDir, { recursive: true, force: true });
  }
}, 60_000);
