import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { matchesNotifiedFilter } from '../../functions/adapters/dynamodb/stream.ts';
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
