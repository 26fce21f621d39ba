import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  accessRecordOf,
  chainedEventOf,
  matchesChainFilter,
  matchesCheckFilter,
  matchesNotifiedFilter,
  matchesNotifierFilter,
} from '../../functions/adapters/dynamodb/stream.ts';
import { isMailedWhenChained, NOTIFIED_EVENT_TYPES } from '../../functions/domain/audit.ts';

const record = (eventName: 'INSERT' | 'MODIFY', kind: string, type: string): DynamoDBRecord => ({
  eventName,
  dynamodb: { NewImage: { kind: { S: kind }, type: { S: type } } },
});

describe('the stream filter shared by the event source mapping and the local poller', () => {
  it('passes inserted events of every notified type but the ends of grants, which wait for the chain', () => {
    for (const type of NOTIFIED_EVENT_TYPES)
      expect(matchesNotifiedFilter(record('INSERT', 'event', type))).toBe(!isMailedWhenChained(type));
    expect(matchesNotifiedFilter(record('INSERT', 'event', 'grant.revoked'))).toBe(false);
    expect(matchesNotifiedFilter(record('INSERT', 'event', 'grant.expired'))).toBe(false);
  });

  it('passes the ends of grants once the chain has sealed them, as the event with its hash', () => {
    const image = (hash?: string) => ({
      kind: { S: 'event' },
      type: { S: 'grant.expired' },
      eventId: { S: '01KBZ0000000000000000000E1' },
      tenantId: { S: 'acme' },
      at: { S: '2026-12-01T10:00:00.000Z' },
      actor: { S: 'system' },
      grantId: { S: 'G1' },
      details: { M: {} },
      ...(hash ? { hash: { S: hash }, seq: { N: '7' } } : {}),
    });
    const sealed: DynamoDBRecord = {
      eventName: 'MODIFY',
      dynamodb: { NewImage: image('ab'), OldImage: image() },
    };
    expect(matchesNotifierFilter(sealed)).toBe(true);
    expect(chainedEventOf(sealed)).toMatchObject({ type: 'grant.expired', grantId: 'G1', hash: 'ab' });
    // Anything but the sealing write is not the chain passing the event.
    expect(
      chainedEventOf({ eventName: 'MODIFY', dynamodb: { NewImage: image('ab'), OldImage: image('aa') } }),
    ).toBeNull();
    expect(
      chainedEventOf({ eventName: 'MODIFY', dynamodb: { NewImage: image(), OldImage: image() } }),
    ).toBeNull();
    expect(chainedEventOf({ eventName: 'INSERT', dynamodb: { NewImage: image('ab') } })).toBeNull();
    expect(matchesNotifierFilter(record('MODIFY', 'event', 'grant.created'))).toBe(false);
  });

  it('passes nothing else', () => {
    expect(matchesNotifiedFilter(record('INSERT', 'event', 'access.checked'))).toBe(false);
    expect(matchesNotifiedFilter(record('INSERT', 'event', 'notification.sent'))).toBe(false);
    expect(matchesNotifiedFilter(record('MODIFY', 'event', 'grant.created'))).toBe(false);
    expect(matchesNotifiedFilter(record('INSERT', 'grant', 'grant.created'))).toBe(false);
    expect(matchesNotifiedFilter({ eventName: 'INSERT', dynamodb: {} })).toBe(false);
  });
});

describe('what the check recorder and the chaining step read', () => {
  const stamp = (checkId: string) => ({
    kind: { S: 'access' },
    tenantId: { S: 'acme' },
    grantId: { S: 'G1' },
    expiresAt: { S: '2026-12-01T11:00:00.000Z' },
    reason: { S: 'r' },
    ticket: { NULL: true },
    version: { N: '1' },
    checkId: { S: checkId },
    checkedAt: { S: '2026-12-01T10:00:00.000Z' },
    checkedBy: { S: 'agent@vendor.example' },
    checkSeq: { N: '2' },
  });

  it.each([
    {
      reader: 'the notifier never reads access-item writes: a flood of checks cannot delay mail',
      filter: matchesNotifierFilter,
      read: [record('INSERT', 'event', 'grant.created')],
      passed: [
        record('MODIFY', 'access', ''),
        record('INSERT', 'access', ''),
        record('INSERT', 'event', 'access.checked'),
        record('INSERT', 'grant', ''),
      ],
    },
    {
      reader: 'the check recorder reads access-item writes and nothing else',
      filter: matchesCheckFilter,
      read: [record('MODIFY', 'access', ''), record('INSERT', 'access', '')],
      passed: [
        record('INSERT', 'event', 'grant.created'),
        { eventName: 'REMOVE' as const, dynamodb: { OldImage: stamp('C1') } },
      ],
    },
    {
      reader: 'the chainer reads inserted events (a check’s event once recorded), nothing else',
      filter: matchesChainFilter,
      read: [record('INSERT', 'event', 'access.checked'), record('INSERT', 'event', 'grant.created')],
      passed: [
        record('MODIFY', 'access', ''),
        record('MODIFY', 'event', 'grant.created'),
        record('INSERT', 'grant', ''),
      ],
    },
  ])('$reader', ({ filter, read, passed }) => {
    for (const r of read) expect(filter(r)).toBe(true);
    for (const r of passed) expect(filter(r)).toBe(false);
  });

  it('reads a new stamp as the check it records, with the grant its write saw; an unchanged stamp as none', () => {
    const written: DynamoDBRecord = {
      eventName: 'MODIFY',
      dynamodb: { ApproximateCreationDateTime: 1796119200, NewImage: stamp('C2'), OldImage: stamp('C1') },
    };
    expect(accessRecordOf(written)).toEqual({
      tenantId: 'acme',
      writtenAt: new Date(1796119200 * 1000),
      stamped: {
        check: {
          checkId: 'C2',
          tenantId: 'acme',
          checkedAt: '2026-12-01T10:00:00.000Z',
          agent: 'agent@vendor.example',
        },
        active: {
          tenantId: 'acme',
          grantId: 'G1',
          expiresAt: '2026-12-01T11:00:00.000Z',
          reason: 'r',
          ticket: null,
          version: 1,
        },
        seq: 2,
      },
    });
    // A grant change rewrites the item but stamps no check.
    expect(
      accessRecordOf({ eventName: 'MODIFY', dynamodb: { NewImage: stamp('C2'), OldImage: stamp('C2') } })
        ?.stamped,
    ).toBeNull();
    // A bare stamp (no grant) is a check that saw no grant.
    const { grantId: _, ...bare } = stamp('C3');
    expect(accessRecordOf({ eventName: 'INSERT', dynamodb: { NewImage: bare } })?.stamped?.active).toBeNull();
  });
});
