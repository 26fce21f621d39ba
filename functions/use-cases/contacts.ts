import {
  type Contact,
  contactWarnings,
  DEFAULT_TIME_ZONE,
  emailKey,
  type Locale,
  normaliseName,
  normalisePhone,
  normaliseTimeZone,
} from '../domain/contact.ts';
import { NotFoundError } from '../domain/errors.ts';
import { endGrant, isEffectivelyActive, SYSTEM_ACTOR } from '../domain/grant.ts';
import type { GrantEnding } from '../domain/ports.ts';
import { bestEffort, type Needs, retryOnConflict, type SchedulingNeeds } from './deps.ts';
import { grantDetails, newEvent } from './events.ts';

export interface AddContactInput {
  name: string;
  email: string;
  phone: string;
  locale?: Locale | undefined;
  timeZone?: string | undefined;
  canGrantAccess?: boolean | undefined;
  canInstruct?: boolean | undefined;
}

export async function listContacts(deps: Needs<'contacts'>, tenantId: string) {
  const contacts = await deps.contacts.listContacts(tenantId);
  return { contacts, warnings: contactWarnings(contacts) };
}

export async function addContact(
  deps: Needs<'contacts'>,
  tenantId: string,
  actor: string,
  input: AddContactInput,
  now: Date,
): Promise<Contact> {
  const contact: Contact = {
    contactId: deps.ids.next(now),
    tenantId,
    name: normaliseName(input.name),
    email: input.email.trim(),
    phone: normalisePhone(input.phone),
    locale: input.locale ?? 'de',
    timeZone: input.timeZone === undefined ? DEFAULT_TIME_ZONE : normaliseTimeZone(input.timeZone),
    canGrantAccess: input.canGrantAccess ?? true,
    canInstruct: input.canInstruct ?? true,
    createdAt: now.toISOString(),
  };
  // Concurrent adds race on the tenant's contact count: the losers count again.
  await retryOnConflict(() =>
    deps.contacts.addContact(
      contact,
      newEvent(deps, now, tenantId, 'contact.added', actor, null, {
        contactId: contact.contactId,
        name: contact.name,
        email: emailKey(contact.email),
        canGrantAccess: contact.canGrantAccess,
        canInstruct: contact.canInstruct,
        locale: contact.locale,
        timeZone: contact.timeZone,
      }),
    ),
  );
  return contact;
}

/**
 * Removes a contact. If they created the tenant's active grant, that grant is revoked in the
 * same transaction: access granted by someone no longer trusted must not outlive them.
 */
export async function removeContact(
  deps: SchedulingNeeds<'contacts' | 'grants'>,
  tenantId: string,
  contactId: string,
  actor: string,
  now: Date,
): Promise<void> {
  const ended = await retryOnConflict(async () => {
    const contact = await deps.contacts.getContact(tenantId, contactId);
    if (!contact) throw new NotFoundError('Contact');
    let ending: GrantEnding | undefined;
    const access = await deps.grants.getActiveAccess(tenantId);
    const grant = access ? await deps.grants.getGrant(tenantId, access.grantId) : null;
    if (grant && isEffectivelyActive(grant, now) && grant.grantedBy.contactId === contactId) {
      const after = endGrant(grant, {
        status: 'revoked',
        endedAt: now.toISOString(),
        endedBy: SYSTEM_ACTOR,
        endReason: 'contact-removed',
      });
      ending = {
        before: grant,
        after,
        event: newEvent(deps, now, tenantId, 'grant.revoked', SYSTEM_ACTOR, grant.grantId, {
          ...grantDetails(after),
          removedBy: actor,
        }),
      };
    }
    await deps.contacts.removeContact(
      contact,
      newEvent(deps, now, tenantId, 'contact.removed', actor, ending?.after.grantId ?? null, {
        contactId,
        name: contact.name,
        email: emailKey(contact.email),
        // The removed contact is emailed too, in their language and zone.
        locale: contact.locale,
        timeZone: contact.timeZone,
      }),
      ending,
      access?.grantId ?? null,
    );
    return ending?.after ?? null;
  });
  if (ended) await bestEffort(deps, 'unschedule', ended, () => deps.scheduler.unschedule(ended));
}
