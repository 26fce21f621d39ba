import type { AuditEvent } from '../audit.ts';
import type { Contact } from '../contact.ts';
import type { GrantEnding } from './grants.ts';

/** A tenant's contacts: unique by email, at most CONTACTS_MAX, each change with its audit event. */
export interface ContactStore {
  /** Throws ContactExistsError when the tenant has a contact with that email; ContactLimitReachedError at the limit. */
  addContact(contact: Contact, event: AuditEvent): Promise<void>;
  getContact(tenantId: string, contactId: string): Promise<Contact | null>;
  findContactByEmail(tenantId: string, email: string): Promise<Contact | null>;
  /** Oldest first. */
  listContacts(tenantId: string): Promise<Contact[]>;
  /**
   * Removes the contact and, in the same transaction, ends the grant given; without one, only
   * while the tenant's active grant is still `activeGrantId` (null: none).
   */
  removeContact(
    contact: Contact,
    event: AuditEvent,
    ending: GrantEnding | undefined,
    activeGrantId: string | null,
  ): Promise<void>;
}
