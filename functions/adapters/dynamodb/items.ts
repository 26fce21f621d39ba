import type { AuditEvent } from '../../domain/audit.ts';
import { type Contact, DEFAULT_TIME_ZONE } from '../../domain/contact.ts';
import type { StoredGrant } from '../../domain/grant.ts';
import type { ActiveAccess } from '../../domain/ports.ts';
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
    tenantId: item.tenantId as string,
    grantId: item.grantId,
    expiresAt: item.expiresAt as string,
    reason: item.reason as string,
    ticket: (item.ticket as string | null | undefined) ?? null,
    version: item.version as number,
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

export function toGrant(item: Item): StoredGrant {
  const grantedBy = item.grantedBy as StoredGrant['grantedBy'];
  return {
    grantId: item.grantId as string,
    tenantId: item.tenantId as string,
    status: item.status as StoredGrant['status'],
    reason: item.reason as string,
    ticket: (item.ticket as string | null | undefined) ?? null,
    grantedBy: { contactId: grantedBy.contactId, name: grantedBy.name, email: grantedBy.email },
    createdAt: item.createdAt as string,
    expiresAt: item.expiresAt as string,
    endedAt: (item.endedAt as string | null | undefined) ?? null,
    endedBy: (item.endedBy as string | null | undefined) ?? null,
    endReason: (item.endReason as StoredGrant['endReason'] | undefined) ?? null,
    version: item.version as number,
    remindAt: (item.remindAt as string | null | undefined) ?? null,
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
    contactId: item.contactId as string,
    tenantId: item.tenantId as string,
    name: item.name as string,
    email: item.email as string,
    phone: item.phone as string,
    locale: item.locale as Contact['locale'],
    // Contacts registered before time zones existed read as the default zone.
    timeZone: (item.timeZone as string | undefined) ?? DEFAULT_TIME_ZONE,
    canGrantAccess: item.canGrantAccess as boolean,
    canInstruct: item.canInstruct as boolean,
    createdAt: item.createdAt as string,
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
