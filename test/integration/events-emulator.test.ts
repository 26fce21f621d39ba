import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgeBus } from '../../functions/adapters/event-bus.ts';
import type { EventData } from '../../functions/domain/audit.ts';
import { checkForwardUrl, type DeliveredEvent, startEventsEmulator } from '../../local/events-emulator.ts';
import { freePort } from '../../local/ports.ts';
import { sampleDetails } from '../support/event-samples.ts';
import { until } from '../support/until.ts';

const BUS = 'SupportAccess-test';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function setup(forwardUrl?: string, log?: (m: string) => void) {
  const emulator = await startEventsEmulator({
    port: await freePort(),
    region: 'eu-central-1',
    accountId: '123456789012',
    busNames: [BUS],
    forwardUrl,
    ...(log ? { log } : {}),
  });
  stops.push(emulator.stop);
  const client = new EventBridgeClient({
    endpoint: emulator.url,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return { emulator, client };
}

const revoked: EventData = {
  tenantId: 'acme',
  eventId: '01KBZ0000000000000000000E1',
  at: '2026-12-01T10:00:01.234Z',
  type: 'grant.revoked',
  actor: 'ada@acme.test',
  grantId: 'G1',
  details: sampleDetails('r')['grant.revoked'],
};

describe('the local EventBridge emulator, with the real SDK client', () => {
  it('takes PutEvents and lists each event as EventBridge delivers it to a target, oldest first', async () => {
    const { emulator, client } = await setup();
    const result = await new EventBridgeBus(client, BUS).put([
      revoked,
      { ...revoked, eventId: 'E2', type: 'grant.expired', details: sampleDetails('r')['grant.expired'] },
    ]);
    expect(result).toEqual({ failed: [], unreachable: false });
    const listed = (await (await fetch(`${emulator.url}/events`)).json()) as DeliveredEvent[];
    expect(listed).toHaveLength(2);
    expect(listed[0]).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'grant.revoked',
      source: 'support-access',
      account: '123456789012',
      time: '2026-12-01T10:00:01Z',
      region: 'eu-central-1',
      resources: [],
      detail: revoked,
    });
    expect(listed[1]?.['detail-type']).toBe('grant.expired');
  });

  it('answers FailedEntryCount with a result per entry, taking the good ones', async () => {
    const { emulator, client } = await setup();
    const answer = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: BUS, Source: 'support-access', DetailType: 'grant.created', Detail: '{"a":1}' },
          {
            EventBusName: 'no-such-bus',
            Source: 'support-access',
            DetailType: 'grant.created',
            Detail: '{}',
          },
          { EventBusName: BUS, Source: 'support-access', DetailType: 'grant.created', Detail: 'not json' },
          { EventBusName: BUS, Source: 'support-access', Detail: '{}' },
        ],
      }),
    );
    expect(answer.FailedEntryCount).toBe(3);
    expect(answer.Entries?.[0]?.EventId).toBe(emulator.events()[0]?.id);
    expect(answer.Entries?.slice(1).map((e) => e.ErrorCode)).toEqual([
      'ResourceNotFoundException',
      'MalformedDetail',
      'InvalidArgument',
    ]);
    expect(emulator.events()).toHaveLength(1);
    // The adapter reads the same answer as the entries to put again.
    const result = await new EventBridgeBus(client, 'no-such-bus').put([revoked]);
    expect(result.failed).toEqual([
      { index: 0, error: 'ResourceNotFoundException: Event bus no-such-bus does not exist.' },
    ]);
  });

  it('refuses more than ten entries a call, as EventBridge does', async () => {
    const { client } = await setup();
    const entry = { EventBusName: BUS, Source: 's', DetailType: 't', Detail: '{}' };
    await expect(
      client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('says the bus is unreachable when nothing answers', async () => {
    const port = await freePort();
    const client = new EventBridgeClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const result = await new EventBridgeBus(client, BUS).put([revoked]);
    expect(result.unreachable).toBe(true);
    expect(result.failed.map((f) => f.index)).toEqual([0]);
  });

  it('POSTs each event to the forward URL in order, and a failing receiver blocks nothing', async () => {
    const received: unknown[] = [];
    let fail = true;
    const receiver = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (fail) {
        fail = false;
        res.writeHead(500).end();
        return;
      }
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => receiver.close(() => resolve())));
    const logged: string[] = [];
    const { emulator, client } = await setup(
      `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      (m) => logged.push(m),
    );
    const bus = new EventBridgeBus(client, BUS);
    expect((await bus.put([revoked])).failed).toEqual([]);
    expect((await bus.put([{ ...revoked, eventId: 'E2' }])).failed).toEqual([]);
    await until(
      async () => ({ received: received.length, logged: logged.length }),
      (seen) => seen.received === 1 && seen.logged === 1,
    );
    expect(logged[0]).toMatch(/HTTP 500/);
    expect(received[0]).toEqual(emulator.events()[1]);
  });

  it('refuses a forward URL off this machine, and any Host but a loopback name', async () => {
    expect(() => checkForwardUrl('https://example.com/hook')).toThrow(/EVENTS_FORWARD_URL/);
    expect(() => checkForwardUrl('http://10.0.0.1:80/hook')).toThrow(/EVENTS_FORWARD_URL/);
    expect(checkForwardUrl('http://localhost:9999/x').port).toBe('9999');
    const { emulator } = await setup();
    const { port } = new URL(emulator.url);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/events', headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('survives what a client can send it: a Detail too deep to write again, a body cut off, null, a time no Date holds', async () => {
    const { emulator } = await setup();
    const put = (body: string) =>
      fetch(emulator.url, { method: 'POST', headers: { 'x-amz-target': 'AWSEvents.PutEvents' }, body });
    const deep = `${'{"a":'.repeat(30_000)}1${'}'.repeat(30_000)}`;
    const answer = await put(
      JSON.stringify({ Entries: [{ Source: 's', DetailType: 'd', Detail: deep, EventBusName: BUS }] }),
    );
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'MalformedDetail' }],
    });
    expect((await fetch(`${emulator.url}/events`)).status).toBe(200);
    expect((await put('null')).status).toBe(400);
    const late = await put(
      JSON.stringify({
        Entries: [{ Source: 's', DetailType: 'd', Detail: '{}', EventBusName: BUS, Time: 1e300 }],
      }),
    );
    expect(await late.json()).toMatchObject({ FailedEntryCount: 0 });
    // A client that announces a long body and goes away halfway.
    const { port } = new URL(emulator.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nx-amz-target: AWSEvents.PutEvents\r\ncontent-length: 100000\r\n\r\n{"Entries":',
        );
        setImmediate(() => {
          socket.destroy();
          resolve();
        });
      });
    });
    await until(
      () =>
        fetch(`${emulator.url}/health`).then(
          (r) => r.status,
          () => 0,
        ),
      (status) => status === 200,
      5000,
      'the emulator answering after a client went away mid-body',
    );
  });
});
