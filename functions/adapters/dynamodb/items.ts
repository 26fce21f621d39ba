import type { AuditEvent } from '../../domain/audit.ts';
import { type Contact, DEFAULT_TIME_ZONE, LOCALES } from '../../domain/contact.ts';
import type { EndReason, GrantStatus, StoredGrant } from '../../domain/grant.ts';
import type { ActiveAccess } from '../../domain/ports.ts';
import { contactRef, count, flag, oneOf, text, textOrNull } from './fields.ts';
import { keys } from './keys.ts';
import type { IndexShards } from './shards.ts';

/** Item shapes of the single-table design (docs/data-model.md) and their domain objects. */
type Item = Record<string, unknown>;

/** The pointer holds the pending reminder: an entry of the sparse reminder partition of the index. */
export function reminderIndexEntry(
  grant: Pick<StoredGrant, 'remindAt' | 'tenantId' | 'grantId'>,
  shards: IndexShards,
): Item {
  if (!grant.remindAt) return {};
  return {
    gsi1pk: shards.partition(keys.reminderIndexPartition, grant.tenantId),
    gsi1sk: keys.activeIndexSort(grant.remindAt, grant.tenantId, grant.grantId),
  };
}

export function pointerItem(grant: StoredGrant, shards: IndexShards): Item {
  return {
    ...reminderIndexEntry(grant, shards),
    pk: keys.tenant(grant.tenantId),
    sk: keys.activePointer(),
    kind: 'access',
    tenantId: grant.tenantId,
    grantId: grant.grantId,
    expiresAt: grant.expiresAt,
    reason: grant.reason,
    ticket: grant.ticket,
    version: grant.version,
    remindAt: grant.remindAt,
  };
}

/** The grant an access item names, or null when it is absent or only holds a check stamp. */
export function toActiveAccess(item: Item | undefined): ActiveAccess | null {
  if (!item || typeof item.grantId !== 'string') return null;
  return {
    tenantId: text(item, 'tenantId'),
    grantId: item.grantId,
    expiresAt: text(item, 'expiresAt'),
    reason: text(item, 'reason'),
    ticket: textOrNull(item, 'ticket'),
    version: count(item, 'version'),
  };
}

export function grantItem(grant: StoredGrant, shards: IndexShards): Item {
  return {
    pk: keys.tenant(grant.tenantId),
    sk: keys.grant(grant.grantId),
    kind: 'grant',
    ...grant,
    ...(grant.status === 'active'
      ? {
          gsi1pk: shards.partition(keys.activeIndexPartition, grant.tenantId),
          gsi1sk: keys.activeIndexSort(grant.expiresAt, grant.tenantId, grant.grantId),
        }
      : {}),
  };
}

const GRANT_STATUSES = ['active', 'revoked', 'expired'] as const satisfies readonly GrantStatus[];
const END_REASONS = ['revoked', 'expired', 'contact-removed'] as const satisfies readonly EndReason[];

export function toGrant(item: Item): StoredGrant {
  return {
    grantId: text(item, 'grantId'),
    tenantId: text(item, 'tenantId'),
    status: oneOf(item, 'status', GRANT_STATUSES),
    reason: text(item, 'reason'),
    ticket: textOrNull(item, 'ticket'),
    grantedBy: contactRef(item, 'grantedBy'),
    createdAt: text(item, 'createdAt'),
    expiresAt: text(item, 'expiresAt'),
    endedAt: textOrNull(item, 'endedAt'),
    endedBy: textOrNull(item, 'endedBy'),
    endReason: item.endReason == null ? null : oneOf(item, 'endReason', END_REASONS),
    version: count(item, 'version'),
    remindAt: textOrNull(item, 'remindAt'),
  };
}

export function contactItem(contact: Contact): Item {
  return {
    pk: keys.tenant(contact.tenantId),
    sk: keys.contact(contact.contactId),
    kind: 'contact',
    ...contact,
  };
}

export function toContact(item: Item): Contact {
  return {
    contactId: text(item, 'contactId'),
    tenantId: text(item, 'tenantId'),
    name: text(item, 'name'),
    email: text(item, 'email'),
    phone: text(item, 'phone'),
    locale: oneOf(item, 'locale', LOCALES),
    // Contacts registered before time zones existed read as the default zone.
    timeZone: textOrNull(item, 'timeZone') ?? DEFAULT_TIME_ZONE,
    canGrantAccess: flag(item, 'canGrantAccess'),
    canInstruct: flag(item, 'canInstruct'),
    createdAt: text(item, 'createdAt'),
  };
}

export function eventItem(event: AuditEvent): Item {
  return {
    pk: keys.tenant(event.tenantId),
    sk: keys.event(event.eventId),
    kind: 'event',
    ...event,
    // A grant's activities are also listed by grant, so a receipt pages through them alone.
    ...(event.type === 'support.activity' && event.grantId
      ? { gsi1pk: keys.grantActivities(event.tenantId, event.grantId), gsi1sk: event.eventId }
      : {}),
  };
}

export function toEvent(item: Item): AuditEvent {
  // Written by this system through the typed union; its type says the shape of its details.
  return {
    eventId: item.eventId as string,
    tenantId: item.tenantId as string,
    at: item.at as string,
    type: item.type,
    actor: item.actor as string,
    grantId: (item.grantId as string | null | undefined) ?? null,
    details: item.details ?? {},
    ...(typeof item.hash === 'string' ? { hash: item.hash } : {}),
  } as AuditEvent;
}
