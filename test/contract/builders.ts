import type { AuditEvent, AuditEventType } from '../../functions/domain/audit.ts';
import type { Contact } from '../../functions/domain/contact.ts';
import type { StoredGrant } from '../../functions/domain/grant.ts';
import { ulidGenerator } from '../../functions/domain/ids.ts';
import type { Instruction } from '../../functions/domain/instruction.ts';
import type { TestStores } from '../support/use-case-deps.ts';

/** Plain domain objects for the contract suite, written through the ports alone. */

export const T0 = new Date('2026-12-01T10:00:00.000Z');
export const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
export const iso = (seconds: number) => at(seconds).toISOString();

const ids = ulidGenerator();
export const id = (seconds = 0) => ids.next(at(seconds));

export function contact(tenantId: string, extra: Partial<Contact> = {}): Contact {
  const contactId = id();
  return {
    contactId,
    tenantId,
    name: `C ${contactId.slice(-4)}`,
    email: `${contactId.toLowerCase()}@${tenantId}.test`,
    phone: '+49 30 1234567',
    locale: 'en',
    timeZone: 'Europe/Berlin',
    canGrantAccess: true,
    canInstruct: true,
    createdAt: T0.toISOString(),
    ...extra,
  };
}

export function event(
  tenantId: string,
  type: AuditEventType,
  grantId: string | null = null,
  extra: Partial<AuditEvent> = {},
): AuditEvent {
  // The stores keep an event's details as given and never read them: any details do here.
  return {
    eventId: id(),
    tenantId,
    at: T0.toISOString(),
    type,
    actor: 'a@x.test',
    grantId,
    details: {},
    ...extra,
  } as AuditEvent;
}

export function grant(
  tenantId: string,
  by: Contact,
  seconds = 3600,
  extra: Partial<StoredGrant> = {},
): StoredGrant {
  return {
    grantId: id(),
    tenantId,
    status: 'active',
    reason: 'r',
    ticket: null,
    grantedBy: { contactId: by.contactId, name: by.name, email: by.email },
    createdAt: T0.toISOString(),
    expiresAt: iso(seconds),
    endedAt: null,
    endedBy: null,
    endReason: null,
    version: 1,
    remindAt: null,
    ...extra,
  };
}

export function instruction(tenantId: string, by: Contact, extra: Partial<Instruction> = {}): Instruction {
  return {
    instructionId: id(),
    tenantId,
    kind: 'other',
    details: 'd',
    status: 'confirmed',
    requestedBy: { contactId: by.contactId, name: by.name, email: by.email },
    confirmedBy: null,
    rejectedBy: null,
    createdAt: T0.toISOString(),
    confirmBy: null,
    completedAt: null,
    completedBy: null,
    note: null,
    ...extra,
  };
}

/** A tenant with a contact who may grant, and (unless `seconds` is null) that contact's active grant. */
export async function tenantWithGrant(
  s: TestStores,
  tenantId: string,
  seconds = 3600,
  extra: Partial<StoredGrant> = {},
) {
  const ada = contact(tenantId);
  await s.contacts.addContact(ada, event(tenantId, 'contact.added'));
  const g = grant(tenantId, ada, seconds, extra);
  await s.grants.createGrant(g, event(tenantId, 'grant.created', g.grantId));
  return { ada, grant: g };
}

/** Every item of a list, page by page (and how many pages it took). */
export async function allPages<T>(
  list: (page: { limit: number; cursor?: string }) => Promise<{ items: T[]; nextCursor: string | null }>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list({ limit, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  return { items, pages };
}
