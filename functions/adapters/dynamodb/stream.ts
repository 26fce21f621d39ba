import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { StampedCheck } from '../../domain/access-check.ts';
import {
  type AuditEvent,
  DELIVERABLE_EVENT_TYPES,
  isMailedWhenChained,
  MAILED_WHEN_CHAINED,
  NOTIFIED_EVENT_TYPES,
} from '../../domain/audit.ts';
import { idTime } from '../../domain/ids.ts';
import type { ChainPending } from '../../domain/ports.ts';
import { text } from './fields.ts';
import { toActiveAccess, toEvent } from './items.ts';

/**
 * The table's stream as the notifier's outbox. The filters are plain EventBridge-pattern data:
 * the CDK stack hands them to the event source mapping, the local stream poller applies them
 * with `matchesNotifierFilter`, so both deliver exactly the same records. Most notified events
 * are mailed as they are written; the end of a grant once the chain has sealed its event (the
 * chainer's only change to an event item), so its receipt's head covers the whole grant.
 */
export const NOTIFIED_RECORDS_FILTER = {
  eventName: ['INSERT'],
  dynamodb: {
    NewImage: {
      kind: { S: ['event'] },
      type: { S: NOTIFIED_EVENT_TYPES.filter((type) => !isMailedWhenChained(type)) },
    },
  },
};

export const CHAINED_END_RECORDS_FILTER = {
  eventName: ['MODIFY'],
  dynamodb: {
    NewImage: {
      kind: { S: ['event'] },
      type: { S: [...MAILED_WHEN_CHAINED] },
    },
  },
};

/** Every audit event inserted: what the chaining step chains. */
export const AUDIT_RECORDS_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { kind: { S: ['event'] } } },
};

/** Every write of a tenant's access item: the check recorder records the access checks stamped on it. */
export const ACCESS_RECORDS_FILTER = {
  eventName: ['INSERT', 'MODIFY'],
  dynamodb: { NewImage: { kind: { S: ['access'] } } },
};

/** Every deliverable event inserted: what the event publisher puts on the vendor's bus. */
export const DELIVERABLE_RECORDS_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { kind: { S: ['event'] }, type: { S: [...DELIVERABLE_EVENT_TYPES] } } },
};

/** What the event publisher reads: its own consumer, so a bus outage delays no mail, chain or check. */
export const PUBLISH_RECORDS_FILTERS = [DELIVERABLE_RECORDS_FILTER];

/** The chaining step's notes of tenants to come back to once their newest events have settled. */
export const CHAIN_LATER_RECORDS_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { kind: { S: ['chain-later'] } } },
};

/** A tenant's check mark moved: events the chain held back before it may be chained now. */
export const CHECK_MARK_RECORDS_FILTER = {
  eventName: ['INSERT', 'MODIFY'],
  dynamodb: { NewImage: { kind: { S: ['check-mark'] } } },
};

/**
 * What the chaining step reads: new audit events (a check's event too, once recorded), its own
 * notes to come back, and moves of a check mark.
 */
export const CHAIN_RECORDS_FILTERS = [
  AUDIT_RECORDS_FILTER,
  CHAIN_LATER_RECORDS_FILTER,
  CHECK_MARK_RECORDS_FILTER,
];

/** What the notifier reads: the events it mails about, the ends of grants once chained. */
export const NOTIFIER_RECORDS_FILTERS = [NOTIFIED_RECORDS_FILTER, CHAINED_END_RECORDS_FILTER];

/** What the check recorder reads: nothing but the access items' writes, so mail never delays it. */
export const CHECK_RECORDS_FILTERS = [ACCESS_RECORDS_FILTER];

type Pattern = { [key: string]: string[] | Pattern };

/** Does a value match the filter pattern (every listed field, one of its allowed values)? */
function matches(value: unknown, pattern: Pattern): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(pattern).every(([key, rule]) => {
    const field: unknown = Reflect.get(value, key);
    return Array.isArray(rule) ? typeof field === 'string' && rule.includes(field) : matches(field, rule);
  });
}

export function matchesNotifiedFilter(record: DynamoDBRecord): boolean {
  return matches(record, NOTIFIED_RECORDS_FILTER);
}

export function matchesNotifierFilter(record: DynamoDBRecord): boolean {
  return NOTIFIER_RECORDS_FILTERS.some((filter) => matches(record, filter));
}

export function matchesChainFilter(record: DynamoDBRecord): boolean {
  return CHAIN_RECORDS_FILTERS.some((filter) => matches(record, filter));
}

export function matchesCheckFilter(record: DynamoDBRecord): boolean {
  return CHECK_RECORDS_FILTERS.some((filter) => matches(record, filter));
}

export function matchesPublishFilter(record: DynamoDBRecord): boolean {
  return PUBLISH_RECORDS_FILTERS.some((filter) => matches(record, filter));
}

/** A stream image as an item (Lambda's and the SDK's attribute value types differ only in name). */
const itemOf = (image: Record<string, AttributeValue>): Record<string, unknown> => unmarshall(image as never);

/** The audit event a stream record inserted, or null when it inserted something else. */
export function auditEventOf(record: DynamoDBRecord): AuditEvent | null {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return null;
  const item = itemOf(image);
  return item.kind === 'event' ? toEvent(item) : null;
}

/**
 * The tenants a chaining record stands for, each with the times of the events it may chain: an
 * audit event its own, a check mark the check it reached, a note what it names.
 */
export function chainPendingOf(record: DynamoDBRecord): ChainPending[] {
  const image = record.dynamodb?.NewImage;
  if (!image) return [];
  const item = unmarshall(image as Record<string, AttributeValue> as never);
  if (item.kind === 'event' && record.eventName === 'INSERT') {
    const event = toEvent(item);
    const at = idTime(event.eventId).toISOString();
    return [{ tenantId: event.tenantId, from: at, to: at }];
  }
  if (item.kind === 'check-mark')
    return [{ tenantId: item.tenantId, from: item.checkedAt, to: item.checkedAt }];
  if (item.kind === 'chain-later' && record.eventName === 'INSERT') return item.tenants as ChainPending[];
  return [];
}

/** An audit event the chain has just sealed (its hash newly set), or null for any other record. */
export function chainedEventOf(record: DynamoDBRecord): AuditEvent | null {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'MODIFY' || !image) return null;
  const item = itemOf(image);
  if (item.kind !== 'event' || typeof item.hash !== 'string') return null;
  const old = record.dynamodb?.OldImage;
  if (old && itemOf(old).hash !== undefined) return null;
  return toEvent(item);
}

/** A write of a tenant's access item, and the check it stamped (null when it stamped none). */
export interface AccessRecord {
  tenantId: string;
  /** When the write happened, to the second (the stream's own clock). */
  writtenAt: Date;
  stamped: StampedCheck | null;
}

/** The access-item write a stream record carries, or null when it carries something else. */
export function accessRecordOf(record: DynamoDBRecord): AccessRecord | null {
  const image = record.dynamodb?.NewImage;
  if ((record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') || !image) return null;
  const item = itemOf(image);
  if (item.kind !== 'access' || typeof item.tenantId !== 'string') return null;
  const old = record.dynamodb?.OldImage;
  const oldCheckId = old ? itemOf(old).checkId : undefined;
  const stamped =
    typeof item.checkId === 'string' && item.checkId !== oldCheckId
      ? {
          check: {
            checkId: item.checkId,
            tenantId: item.tenantId,
            checkedAt: text(item, 'checkedAt'),
            agent: text(item, 'checkedBy'),
          },
          active: toActiveAccess(item),
          seq: typeof item.checkSeq === 'number' ? item.checkSeq : 0,
        }
      : null;
  return {
    tenantId: item.tenantId,
    writtenAt: new Date((record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000),
    stamped,
  };
}
