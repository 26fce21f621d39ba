import type { EventDetails, EventType } from './event-types.ts';

export type AuditEventType = EventType;

interface EventBase {
  eventId: string;
  tenantId: string;
  at: string;
  actor: string;
  grantId: string | null;
  /** Its link in the tenant's hash chain, once chained (within a minute of being written). */
  hash?: string | undefined;
}

/** An audit event of type K, with the details that type carries (event-types.ts). */
export type AuditEventOf<K extends EventType> = EventBase & { type: K; details: EventDetails<K> };

/** Every audit event, told apart by `type`: narrowing on it types `details`. */
export type AuditEvent = { [K in EventType]: AuditEventOf<K> }[EventType];

/**
 * The events every contact of the tenant is emailed about: the one list that the stream filter
 * (infra and the local poller), the notifier and the email templates all use.
 */
export const NOTIFIED_EVENT_TYPES = [
  'grant.created',
  'grant.extended',
  'grant.expiring',
  'grant.revoked',
  'grant.expired',
  'contact.added',
  'contact.removed',
  'instruction.requested',
  'instruction.confirmed',
  'instruction.rejected',
  'instruction.lapsed',
  'instruction.completed',
] as const satisfies readonly AuditEventType[];

export type NotifiedEventType = (typeof NOTIFIED_EVENT_TYPES)[number];

export function isNotifiedEventType(type: string): type is NotifiedEventType {
  return (NOTIFIED_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * The emails sent when a grant ends carry its receipt with an audit head the customer keeps:
 * they go out once the chain has sealed the end event, so every event of the grant lies under
 * that head. The others go out as their events are written.
 */
export const MAILED_WHEN_CHAINED = [
  'grant.revoked',
  'grant.expired',
] as const satisfies readonly NotifiedEventType[];

export function isMailedWhenChained(type: string): boolean {
  return (MAILED_WHEN_CHAINED as readonly string[]).includes(type);
}

/** The fields every stored event has, whatever its type: what its hash covers. */
export interface ChainedFields {
  eventId: string;
  at: string;
  type: string;
  actor: string;
  grantId: string | null;
  details: unknown;
}

/** The fields of an event as the API shows it and as its hash covers it (no tenant, no hash). */
export function chainedView<E extends ChainedFields>(event: E): Pick<E, keyof ChainedFields> {
  return {
    eventId: event.eventId,
    at: event.at,
    type: event.type,
    actor: event.actor,
    grantId: event.grantId,
    details: event.details,
  };
}

/** The list as given when it names every one of `All`; otherwise a compile error names the missing type. */
const every =
  <All extends string>() =>
  <const Listed extends readonly All[]>(
    list: Listed &
      ([Exclude<All, Listed[number]>] extends [never] ? unknown : { missing: Exclude<All, Listed[number]> }),
  ): Listed =>
    list;

/** The log's own records of its mail: kept in the audit log, never sent out. */
type MailRecordType = 'notification.sent' | 'notification.failed';

/**
 * The events that leave the system (the vendor's event bus, customers' webhooks): every audit
 * event but the log's own record of its mail (a new event type does not compile until it is
 * listed here). Their details are typed in event-types.ts.
 */
export const DELIVERABLE_EVENT_TYPES = every<Exclude<AuditEventType, MailRecordType>>()([
  'contact.added',
  'contact.removed',
  'grant.created',
  'grant.extended',
  'grant.revoked',
  'grant.expired',
  'grant.expiring',
  'access.checked',
  'contact.verified',
  'support.activity',
  'instruction.requested',
  'instruction.confirmed',
  'instruction.rejected',
  'instruction.lapsed',
  'instruction.completed',
  'webhook.added',
  'webhook.removed',
  'webhook.secret-rotated',
]);

export type DeliverableEventType = (typeof DELIVERABLE_EVENT_TYPES)[number];

export function isDeliverable(event: AuditEvent): event is DeliverableEvent {
  return (DELIVERABLE_EVENT_TYPES as readonly string[]).includes(event.type);
}

export type DeliverableEvent = Extract<AuditEvent, { type: DeliverableEventType }>;

type Distribute<K extends EventType, Omitted extends string, Added = unknown> = {
  [P in K]: Omit<AuditEventOf<P>, Omitted> & Added;
}[K];

/** A deliverable event's public form, the same on every channel: the audit log's event with its tenant, without its hash. */
export type EventData = Distribute<DeliverableEventType, 'hash'>;

/** An event as the audit log's API shows it: without its tenant, with its hash once chained. */
export type PublicEvent = Distribute<EventType, 'tenantId'>;

export function eventData(event: DeliverableEvent): EventData {
  const { hash: _, ...data } = event;
  return data;
}

export function publicEvent(event: AuditEvent): PublicEvent {
  const { tenantId: _, ...shown } = event;
  return shown;
}
