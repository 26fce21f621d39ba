import { CONTACTS_MAX, type Contact, emailKey } from '../../../functions/domain/contact.ts';
import {
  ConcurrentModificationError,
  ContactExistsError,
  ContactLimitReachedError,
} from '../../../functions/domain/errors.ts';
import type { ContactStore } from '../../../functions/domain/ports.ts';
import type { FakeGrants } from './grants.ts';
import { compare, contactKey, type World } from './world.ts';

/** Contacts in memory: unique by email per tenant, at most CONTACTS_MAX. */
export class FakeContacts implements ContactStore {
  constructor(
    private readonly world: World,
    private readonly grants: FakeGrants,
  ) {}

  addContact: ContactStore['addContact'] = async (contact, event) => {
    const email = contactKey(contact.tenantId, emailKey(contact.email));
    if (this.world.contactByEmail.has(email)) throw new ContactExistsError();
    if (this.of(contact.tenantId).length >= CONTACTS_MAX) throw new ContactLimitReachedError(CONTACTS_MAX);
    if (
      this.world.contacts.has(contactKey(contact.tenantId, contact.contactId)) ||
      this.world.hasEvent(event)
    )
      throw new ConcurrentModificationError();
    this.world.contacts.set(contactKey(contact.tenantId, contact.contactId), structuredClone(contact));
    this.world.contactByEmail.set(email, contact.contactId);
    this.world.writeEvent(event);
  };

  getContact: ContactStore['getContact'] = async (tenantId, contactId) => {
    const contact = this.world.contacts.get(contactKey(tenantId, contactId));
    return contact ? structuredClone(contact) : null;
  };

  findContactByEmail: ContactStore['findContactByEmail'] = async (tenantId, email) => {
    const contactId = this.world.contactByEmail.get(contactKey(tenantId, emailKey(email)));
    return contactId === undefined ? null : this.getContact(tenantId, contactId);
  };

  listContacts: ContactStore['listContacts'] = async (tenantId) => {
    return structuredClone(
      this.of(tenantId).sort(
        (a, b) => compare(a.createdAt, b.createdAt) || compare(a.contactId, b.contactId),
      ),
    );
  };

  removeContact: ContactStore['removeContact'] = async (contact, event, ending, activeGrantId) => {
    const key = contactKey(contact.tenantId, contact.contactId);
    const email = contactKey(contact.tenantId, emailKey(contact.email));
    if (
      !this.world.contacts.has(key) ||
      this.world.contactByEmail.get(email) !== contact.contactId ||
      this.world.hasEvent(event)
    )
      throw new ConcurrentModificationError();
    if (ending) this.grants.checkEnd(ending);
    else if ((this.world.access.get(contact.tenantId)?.grant?.grantId ?? null) !== activeGrantId)
      throw new ConcurrentModificationError();
    this.world.contacts.delete(key);
    this.world.contactByEmail.delete(email);
    this.world.writeEvent(event);
    if (ending) this.grants.end(ending);
  };

  private of(tenantId: string): Contact[] {
    return [...this.world.contacts.values()].filter((c) => c.tenantId === tenantId);
  }
}
