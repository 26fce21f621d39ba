import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { type AuditEvent, NOTIFIED_EVENT_TYPES } from '../../domain/audit.ts';
import { toEvent } from './items.ts';

/**
 * The table's stream as the notifier's outbox. The filter is plain EventBridge-pattern data:
 * the CDK stack hands it to the event source mapping, the local stream poller applies it with
 * `matchesNotifiedFilter`, so both deliver exactly the same records.
 */
export const NOTIFIED_RECORDS_FILTER = {
  eventName: ['INSERT'],
  dynamodb: {
    NewImage: {
      kind: { S: ['event'] },
      type: { S: [...NOTIFIED_EVENT_TYPES] },
    },
  },
};

/** Every audit event inserted: what the chaining step reads. */
export const AUDIT_RECORDS_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { kind: { S: ['event'] } } },
};

type Pattern = { [key: string]: string[] | Pattern };

/** Does a value match the filter pattern (every listed field, one of its allowed values)? */
function matches(value: unknown, pattern: Pattern): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(pattern).every(([key, rule]) => {
    const field = (value as Record<string, unknown>)[key];
    return Array.isArray(rule) ? typeof field === 'string' && rule.includes(field) : matches(field, rule);
  });
}

export function matchesNotifiedFilter(record: DynamoDBRecord): boolean {
  return matches(record, NOTIFIED_RECORDS_FILTER);
}

export function matchesAuditFilter(record: DynamoDBRecord): boolean {
  return matches(record, AUDIT_RECORDS_FILTER);
}

/** The audit event a stream record inserted, or null when it inserted something else. */
export function auditEventOf(record: DynamoDBRecord): AuditEvent | null {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return null;
  const item = unmarshall(image as Record<string, AttributeValue> as never);
  return item.kind === 'event' ? toEvent(item) : null;
}
