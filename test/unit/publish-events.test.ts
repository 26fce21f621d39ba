import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { matchesPublishFilter } from '../../functions/adapters/dynamodb/stream.ts';
import { EventBridgeBus } from '../../functions/adapters/event-bus.ts';
import {
  type AuditEventType,
  DELIVERABLE_EVENT_TYPES,
  type EventData,
} from '../../functions/domain/audit.ts';
import type { EventBus, Log } from '../../functions/domain/ports.ts';
import { publishRecords } from '../../functions/handlers/publish-events.ts';
import { ENTRY_RETRIES, publishEvents } from '../../functions/use-cases/publish.ts';
import { sampleEvent } from '../support/event-samples.ts';

const silent: Log = { info: () => {}, warn: () => {}, error: () => {} };

const data = (n: number, type: EventData['type'] = 'grant.revoked'): EventData => ({
  ...sampleEvent(type),
  tenantId: 'acme',
  eventId: `01KBZ00000000000000000000${n}`,
  at: `2026-12-01T10:00:0${n % 10}.123Z`,
  actor: 'anna@acme.example',
  grantId: 'G1',
});

/** A bus that refuses the events whose eventId the test names, a given number of times each. */
function flakyBus(refusals: Map<string, number>, unreachableCalls = 0) {
  const calls: string[][] = [];
  let outages = unreachableCalls;
  const bus: EventBus = {
    async put(events) {
      calls.push(events.map((e) => e.eventId));
      if (outages-- > 0)
        return { failed: events.map((_, index) => ({ index, error: 'TimeoutError' })), unreachable: true };
      const failed: { index: number; error: string }[] = [];
      events.forEach((event, index) => {
        const left = refusals.get(event.eventId) ?? 0;
        if (left > 0) {
          refusals.set(event.eventId, left - 1);
          failed.push({ index, error: 'InternalFailure' });
        }
      });
      return { failed, unreachable: false };
    },
  };
  return { bus, calls };
}

describe('publishing events to the bus', () => {
  it('puts again only the entries the bus refused, and reports none when the retry takes them', async () => {
    const events = [data(1), data(2), data(3)];
    const { bus, calls } = flakyBus(new Map([[events[1]?.eventId as string, 1]]));
    const result = await publishEvents({ bus, log: silent }, events);
    expect(result).toEqual({ published: 3, notPublished: [] });
    expect(calls).toEqual([events.map((e) => e.eventId), [events[1]?.eventId]]);
  });

  it('hands back what the bus keeps refusing, never dropping it', async () => {
    const events = [data(1), data(2), data(3)];
    const { bus, calls } = flakyBus(new Map([[events[2]?.eventId as string, 99]]));
    const result = await publishEvents({ bus, log: silent }, events);
    expect(result).toEqual({ published: 2, notPublished: [2] });
    expect(calls).toHaveLength(1 + ENTRY_RETRIES);
  });

  it('hands back everything at once in an outage, without hammering the bus', async () => {
    const events = [data(1), data(2)];
    const { bus, calls } = flakyBus(new Map(), 1);
    const result = await publishEvents({ bus, log: silent }, events);
    expect(result).toEqual({ published: 0, notPublished: [0, 1] });
    expect(calls).toHaveLength(1);
  });
});

const inserted = (event: EventData & { type: AuditEventType }, sequence: string): DynamoDBRecord => ({
  eventName: 'INSERT',
  dynamodb: {
    SequenceNumber: sequence,
    NewImage: marshall({
      pk: `TENANT#${event.tenantId}`,
      sk: `EVENT#${event.eventId}`,
      kind: 'event',
      ...event,
    }) as never,
  },
});

describe('the publisher on the stream', () => {
  it('puts each deliverable event as its EventData, and reports the refused ones as batch item failures', async () => {
    const first = data(1, 'grant.created');
    const second = data(2, 'grant.revoked');
    const put: EventData[] = [];
    const bus: EventBus = {
      async put(events) {
        put.push(...events);
        const index = events.findIndex((e) => e.eventId === second.eventId);
        return { failed: index >= 0 ? [{ index, error: 'InternalFailure' }] : [], unreachable: false };
      },
    };
    const mail = { ...data(3), type: 'notification.sent' as never };
    const response = await publishRecords(
      { Records: [inserted(first, '100'), inserted(mail, '101'), inserted(second, '102')] },
      bus,
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '102' }]);
    // The public form: no hash, no table keys; the mail's own record never goes out.
    expect(put[0]).toEqual(first);
    expect(put.map((e) => e.type)).not.toContain('notification.sent');
  });

  it('passes every deliverable type and nothing else through its stream filter', () => {
    const record = (
      type: string,
      eventName: 'INSERT' | 'MODIFY' = 'INSERT',
      kind = 'event',
    ): DynamoDBRecord => ({
      eventName,
      dynamodb: { NewImage: { kind: { S: kind }, type: { S: type } } },
    });
    for (const type of DELIVERABLE_EVENT_TYPES) expect(matchesPublishFilter(record(type))).toBe(true);
    expect(matchesPublishFilter(record('notification.sent'))).toBe(false);
    expect(matchesPublishFilter(record('notification.failed'))).toBe(false);
    expect(matchesPublishFilter(record('grant.revoked', 'MODIFY'))).toBe(false);
    expect(matchesPublishFilter(record('grant.revoked', 'INSERT', 'grant'))).toBe(false);
  });
});

describe('the EventBridge adapter', () => {
  const client = (answers: (entries: unknown[]) => unknown) => {
    const sent: {
      Entries: { Detail: string; DetailType: string; Source: string; Time: Date; EventBusName: string }[];
    }[] = [];
    return {
      sent,
      client: {
        send: async (command: { input: (typeof sent)[number] }) => {
          sent.push(command.input);
          return answers(command.input.Entries);
        },
      } as unknown as EventBridgeClient,
    };
  };

  it('sends ten entries a call with the contract fields, and reads FailedEntryCount entry by entry', async () => {
    const { client: c, sent } = client((entries) => ({
      FailedEntryCount: entries.length === 10 ? 1 : 0,
      Entries: entries.map((_, i) =>
        entries.length === 10 && i === 4
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }
          : { EventId: `e${i}` },
      ),
    }));
    const events = Array.from({ length: 12 }, (_, i) => data(i));
    const result = await new EventBridgeBus(c, 'SupportAccess-test').put(events);
    expect(result).toEqual({
      failed: [{ index: 4, error: 'InternalFailure: try again' }],
      unreachable: false,
    });
    expect(sent.map((s) => s.Entries.length)).toEqual([10, 2]);
    const entry = sent[0]?.Entries[0];
    expect(entry).toMatchObject({
      EventBusName: 'SupportAccess-test',
      Source: 'support-access',
      DetailType: 'grant.revoked',
      Time: new Date(events[0]?.at as string),
    });
    expect(JSON.parse(entry?.Detail as string)).toEqual(events[0]);
  });

  it('marks the call that failed and every later one as not taken, and says the bus is unreachable', async () => {
    let calls = 0;
    const { client: c } = client((entries) => {
      if (++calls === 2) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e${i}` })) };
    });
    const events = Array.from({ length: 25 }, (_, i) => data(i));
    const result = await new EventBridgeBus(c, 'b').put(events);
    expect(result.unreachable).toBe(true);
    expect(result.failed.map((f) => f.index)).toEqual(Array.from({ length: 15 }, (_, i) => 10 + i));
    expect(calls).toBe(2);
  });
});
