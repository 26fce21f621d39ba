import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import { type Contact, emailKey } from '../../domain/contact.ts';
import { ConcurrentModificationError, ContactExistsError } from '../../domain/errors.ts';
import type { GrantEnding } from '../../domain/ports.ts';
import type { DynamoGrants } from './grants.ts';
import { contactItem, toContact } from './items.ts';
import { keys } from './keys.ts';
import { CONDITIONAL_CHECK_FAILED, type Table, type TransactItem } from './table.ts';

/** Contacts: one item per contact and one per email address, so an email is unique per tenant. */
export class DynamoContacts {
  constructor(
    private readonly table: Table,
    private readonly grants: DynamoGrants,
  ) {}

  async addContact(contact: Contact, event: AuditEvent): Promise<void> {
    const item = contactItem(contact);
    const reasons = await this.table.transact([
      {
        Put: {
          TableName: this.table.name,
          Item: { ...item, sk: keys.contactEmail(emailKey(contact.email)), kind: 'contact-email' },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { TableName: this.table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      this.table.putEvent(event),
    ]);
    if (!reasons) return;
    if (reasons[0]?.Code === CONDITIONAL_CHECK_FAILED) throw new ContactExistsError();
    throw new ConcurrentModificationError();
  }

  async getContact(tenantId: string, contactId: string): Promise<Contact | null> {
    const item = await this.table.getItem(keys.tenant(tenantId), keys.contact(contactId));
    return item ? toContact(item) : null;
  }

  async findContactByEmail(tenantId: string, email: string): Promise<Contact | null> {
    const item = await this.table.getItem(keys.tenant(tenantId), keys.contactEmail(emailKey(email)));
    return item ? toContact(item) : null;
  }

  async listContacts(tenantId: string): Promise<Contact[]> {
    const contacts: Contact[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.table.doc.send(
        new QueryCommand({
          TableName: this.table.name,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.tenant(tenantId), ':prefix': keys.contactPrefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      contacts.push(...(result.Items ?? []).map(toContact));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return contacts.sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.contactId.localeCompare(b.contactId),
    );
  }

  async removeContact(
    contact: Contact,
    event: AuditEvent,
    ending: GrantEnding | undefined,
    activeGrantId: string | null,
  ): Promise<void> {
    const pk = keys.tenant(contact.tenantId);
    const items: TransactItem[] = [
      {
        Delete: {
          TableName: this.table.name,
          Key: { pk, sk: keys.contact(contact.contactId) },
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      {
        Delete: {
          TableName: this.table.name,
          Key: { pk, sk: keys.contactEmail(emailKey(contact.email)) },
          ConditionExpression: 'contactId = :contactId',
          ExpressionAttributeValues: { ':contactId': contact.contactId },
        },
      },
      this.table.putEvent(event),
      // Either the grant this contact gave ends with them, or the tenant's active grant is still
      // the one read (none, or another contact's): a grant they create meanwhile cannot survive.
      ...(ending
        ? this.grants.endGrantItems(ending)
        : [this.grants.pointerUnchanged(contact.tenantId, activeGrantId)]),
    ];
    const reasons = await this.table.transact(items);
    if (reasons) throw new ConcurrentModificationError();
  }
}
