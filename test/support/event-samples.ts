import type { AuditEventOf } from '../../functions/domain/audit.ts';
import type { EventDetails, EventType } from '../../functions/domain/event-types.ts';

export interface SampleText {
  /** A grant's reason and an instruction's details; default: the text. */
  reason?: string;
  /** A grant's ticket and an instruction's note; default: the text. */
  ticket?: string | null;
}

/**
 * Every type's details, with every field a person could have typed set to `text` (names,
 * actions) or to `reason` and `ticket`, so a test can pass anything through every event.
 */
export function sampleDetails(
  text = 'Anna Schmidt',
  { reason = text, ticket = text }: SampleText = {},
): { [K in EventType]: EventDetails<K> } {
  const anna = { contactId: 'c1', name: text, email: 'anna@example.com' };
  const ben = { contactId: 'c2', name: text, email: 'ben@example.com' };
  const grant = {
    reason,
    ticket,
    expiresAt: '2026-12-01T10:00:00.000Z',
    grantedBy: anna,
  };
  const ended = { ...grant, endedAt: '2026-11-30T12:00:00.000Z' };
  const contact = {
    contactId: 'c9',
    name: text,
    email: 'cy@example.com',
    locale: 'en' as const,
    timeZone: 'UTC',
  };
  const instruction = {
    instructionId: 'I1',
    kind: 'account-deletion' as const,
    details: reason,
    status: 'pending-confirmation' as const,
    requestedBy: anna,
    confirmedBy: ben,
    rejectedBy: ben,
    confirmBy: '2026-12-04T10:00:00.000Z',
    completedBy: text,
    note: ticket,
  };
  const mail = { recipient: 'ben@example.com', contactId: 'c2', eventId: 'E1', eventType: 'grant.created' };
  return {
    'contact.added': { ...contact, canGrantAccess: true, canInstruct: true },
    'contact.removed': contact,
    'grant.created': grant,
    'grant.extended': { ...grant, previousExpiresAt: '2026-11-30T10:00:00.000Z' },
    'grant.revoked': { ...ended, endReason: 'revoked' },
    'grant.expired': { ...ended, endReason: 'expired', lateByMs: 120 },
    'grant.expiring': { ...grant, remindAt: '2026-11-30T10:00:00.000Z' },
    'access.checked': { access: true, checkedAt: '2026-11-30T10:00:00.000Z' },
    'contact.verified': { by: 'phone', authorized: true, contactId: 'c1', matches: ['c1'] },
    'support.activity': { action: text, target: text, ticket },
    'instruction.requested': instruction,
    'instruction.confirmed': { ...instruction, status: 'confirmed' },
    'instruction.rejected': { ...instruction, status: 'rejected' },
    'instruction.lapsed': { ...instruction, status: 'lapsed' },
    'instruction.completed': { ...instruction, status: 'done' },
    'webhook.added': {
      webhookId: 'W1',
      url: 'https://hooks.example.com/in',
      eventTypes: ['grant.created'],
      format: 'standard',
    },
    'webhook.removed': { webhookId: 'W1', url: 'https://hooks.example.com/in' },
    'webhook.secret-rotated': { webhookId: 'W1', previousSecretValidUntil: '2026-12-02T10:00:00.000Z' },
    'notification.sent': { ...mail, messageId: 'm-1' },
    'notification.failed': { ...mail, attempts: 5, error: 'MessageRejected' },
  };
}

/** An event of any of the types K, told apart by `type` as the domain's union is. */
export type SampleEvent<K extends EventType> = { [P in K]: AuditEventOf<P> }[K];

/** A whole event of the given type (actor `text@example.com`), its details from sampleDetails. */
export function sampleEvent<K extends EventType>(
  type: K,
  text = 'Anna Schmidt',
  { details, ...sample }: SampleText & { details?: Partial<EventDetails<K>> } = {},
): SampleEvent<K> {
  return {
    eventId: 'E0',
    tenantId: 'acme',
    at: '2026-11-30T10:00:00.000Z',
    type,
    actor: `${text}@example.com`,
    grantId: type.startsWith('grant.') ? 'G1' : null,
    details: { ...sampleDetails(text, sample)[type], ...details },
  } as SampleEvent<K>;
}
