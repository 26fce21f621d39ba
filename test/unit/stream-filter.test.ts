import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  accessRecordOf,
  matchesChainFilter,
  matchesNotifiedFilter,
  matchesNotifierFilter,
} from '../../functions/adapters/dynamodb/stream.ts';
import { NOTIFIED_EVENT_TYPES } from '../../functions/domain/audit.ts';

const record = (eventName: 'INSERT' | 'MODIFY', kind: string, type: string): DynamoDBRecord => ({
  eventName,
  dynamodb: { NewImage: { kind: { S: kind }, type: { S: type } } },
});

describe('the stream filter shared by the event source mapping and the local poller', () => {
  it('passes inserted events of every notified type', () => {
    for (const type of NOTIFIED_EVENT_TYPES)
      expect(matchesNotifiedFilter(record('INSERT', 'event', type))).toBe(true);
  });

  it('passes nothing else', () => {
    expect(matchesNotifiedFilter(record('INSERT', 'event', 'access.checked'))).toBe(false);
    expect(matchesNotifiedFilter(record('INSERT', 'event', 'notification.sent'))).toBe(false);
    expect(matchesNotifiedFilter(record('MODIFY', 'event', 'grant.created'))).toBe(false);
    expect(matchesNotifiedFilter(record('INSERT', 'grant', 'grant.created'))).toBe(false);
    expect(matchesNotifiedFilter({ eventName: 'INSERT', dynamodb: {} })).toBe(false);
  });
});

describe('what the chaining step reads: inserted events and writes of access items', () => {
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
  });

  it('the notifier reads the events it mails about and access-item writes (it records the checks first)', () => {
    expect(matchesNotifierFilter(record('INSERT', 'event', 'grant.created'))).toBe(true);
    expect(matchesNotifierFilter(record('MODIFY', 'access', ''))).toBe(true);
    expect(matchesNotifierFilter(record('INSERT', 'event', 'access.checked'))).toBe(false);
    expect(matchesNotifierFilter(record('INSERT', 'grant', ''))).toBe(false);
  });

  it('passes events and access-item writes, nothing else', () => {
    expect(matchesChainFilter(record('INSERT', 'event', 'access.checked'))).toBe(true);
    expect(matchesChainFilter(record('MODIFY', 'access', ''))).toBe(true);
    expect(matchesChainFilter(record('INSERT', 'access', ''))).toBe(true);
    expect(matchesChainFilter(record('MODIFY', 'event', 'grant.created'))).toBe(false);
    expect(matchesChainFilter(record('INSERT', 'grant', ''))).toBe(false);
    expect(matchesChainFilter({ eventName: 'REMOVE', dynamodb: { OldImage: stamp('C1') } })).toBe(false);
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
