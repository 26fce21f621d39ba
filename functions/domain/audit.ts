export type AuditEventType =
  | 'contact.added'
  | 'contact.removed'
  | 'grant.created'
  | 'grant.extended'
  | 'grant.revoked'
  | 'grant.expired'
  | 'access.checked'
  | 'contact.verified'
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
}

/** The grant events that every contact of the tenant is emailed about. */
export const NOTIFIED_EVENT_TYPES: ReadonlySet<AuditEventType> = new Set([
  'grant.created',
  'grant.extended',
  'grant.revoked',
  'grant.expired',
]);

export function publicEvent(event: AuditEvent): Omit<AuditEvent, 'tenantId'> {
  return {
    eventId: event.eventId,
    at: event.at,
    type: event.type,
    actor: event.actor,
    grantId: event.grantId,
    details: event.details,
  };
}
