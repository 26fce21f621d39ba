export type AuditEventType =
  | 'contact.added'
  | 'contact.removed'
  | 'grant.created'
  | 'grant.extended'
  | 'grant.revoked'
  | 'grant.expired'
  | 'grant.expiring'
  | 'access.checked'
  | 'contact.verified'
  | 'support.activity'
  | 'instruction.requested'
  | 'instruction.confirmed'
  | 'instruction.rejected'
  | 'instruction.lapsed'
  | 'instruction.completed'
  | 'webhook.added'
  | 'webhook.removed'
  | 'webhook.secret-rotated'
  | 'notification.sent'
  | 'notification.failed';

export interface AuditEvent {
  eventId: string;
  tenantId: string;
  at: string;
  type: AuditEventType;
  actor: string;
  grantId: string | null;
  details: Record<string, unknown>;
  /** Its link in the tenant's hash chain, once chained (within a minute of being written). */
  hash?: string | undefined;
}

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

/** The fields of an event as the API shows it and as its hash covers it (no tenant, no hash). */
export function chainedView(event: Omit<AuditEvent, 'tenantId' | 'hash'>) {
  return {
    eventId: event.eventId,
    at: event.at,
    type: event.type,
    actor: event.actor,
    grantId: event.grantId,
    details: event.details,
  };
}

/**
 * The events that leave the system (the vendor's event bus, customers' webhooks): every audit
 * event but the log's own record of its mail. Their details are typed in event-types.ts.
 */
export const DELIVERABLE_EVENT_TYPES = [
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
] as const satisfies readonly Exclude<AuditEventType, 'notification.sent' | 'notification.failed'>[];

export type DeliverableEventType = (typeof DELIVERABLE_EVENT_TYPES)[number];

export function isDeliverable(
  event: Pick<AuditEvent, 'type'>,
): event is AuditEvent & { type: DeliverableEventType } {
  return (DELIVERABLE_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** A deliverable event's public form, the same on every channel: the audit log's event with its tenant, without its hash. */
export interface EventData {
  tenantId: string;
  eventId: string;
  at: string;
  type: DeliverableEventType;
  actor: string;
  grantId: string | null;
  details: Record<string, unknown>;
}

export function eventData(event: AuditEvent & { type: DeliverableEventType }): EventData {
  return { tenantId: event.tenantId, ...chainedView(event), type: event.type };
}

export function publicEvent(event: AuditEvent): Omit<AuditEvent, 'tenantId'> {
  return { ...chainedView(event), ...(event.hash ? { hash: event.hash } : {}) };
}
