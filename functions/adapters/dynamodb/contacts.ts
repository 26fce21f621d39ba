import type { AuditEvent } from '../../domain/audit.ts';
import { CONTACTS_MAX, type Contact, emailKey } from '../../domain/contact.ts';
import { ContactExistsError, ContactLimitReachedError } from '../../domain/errors.ts';
import type { ContactStore, GrantEnding } from '../../domain/ports.ts';
import { endGrantItems, pointerUnchanged } from './grant-writes.ts';
import { contactItem, toContact } from './items.ts';
import { keys } from './keys.ts';
import { guarded, type Table, type TransactItem } from './table.ts';

const COUNT = '#contacts';
const COUNT_ATTRIBUTE = 'contacts';

/**
 * Contacts: one item per contact and one per email address, so an email is unique per tenant,
 * and one item counting them, so a tenant has at most CONTACTS_MAX.
 */
export class DynamoContacts implements ContactStore {
  constructor(private readonly table: Table) {}

  /**
   * Adds a contact with its email lock and event, and counts it in the same transaction: the
   * count item's condition (below the limit) is what concurrent adds race on, so the limit holds
   * however many arrive at once.
   */
  async addContact(contact: Contact, event: AuditEvent): Promise<void> {
    const item = contactItem(contact);
    const counted = await this.table.getItem(keys.tenant(contact.tenantId), keys.contactCount);
    const count = counted
      ? [
          guarded(
            this.countBy(contact.tenantId, 1, `${COUNT} < :max`, { ':max': CONTACTS_MAX }),
            () => new ContactLimitReachedError(CONTACTS_MAX),
          ),
        ]
      : await this.firstCount(contact.tenantId);
    await this.table.transact([
      guarded(
        {
          Put: {
            TableName: this.table.name,
            Item: { ...item, sk: keys.contactEmail(emailKey(contact.email)), kind: 'contact-email' },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        () => new ContactExistsError(),
      ),
      { Put: { TableName: this.table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      this.table.putEvent(event),
      ...count,
    ]);
  }

  /**
   * The count of a tenant that has none yet (its contacts were added before there was one):
   * written from the contacts as listed now, with the new one, and only while each listed
   * contact is still there and nobody wrote a count meanwhile; else the add tries again.
   */
  private async firstCount(tenantId: string): Promise<TransactItem[]> {
    const existing = await this.listContacts(tenantId);
    if (existing.length >= CONTACTS_MAX) throw new ContactLimitReachedError(CONTACTS_MAX);
    const pk = keys.tenant(tenantId);
    return [
      {
        Put: {
          TableName: this.table.name,
          Item: { pk, sk: keys.contactCount, kind: 'contact-count', [COUNT_ATTRIBUTE]: existing.length + 1 },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...existing.map(
        (c): TransactItem => ({
          ConditionCheck: {
            TableName: this.table.name,
            Key: { pk, sk: keys.contact(c.contactId) },
            ConditionExpression: 'attribute_exists(pk)',
          },
        }),
      ),
    ];
  }

  private countBy(
    tenantId: string,
    by: 1 | -1,
    condition: string,
    values: Record<string, unknown> = {},
  ): TransactItem {
    return {
      Update: {
        TableName: this.table.name,
        Key: { pk: keys.tenant(tenantId), sk: keys.contactCount },
        UpdateExpression: `SET ${COUNT} = ${COUNT} + :by`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { [COUNT]: COUNT_ATTRIBUTE },
        ExpressionAttributeValues: { ':by': by, ...values },
      },
    };
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
    const pages = this.table.queryToEnd({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.tenant(tenantId), ':prefix': keys.contactPrefix },
      ConsistentRead: true,
    });
    for await (const result of pages) contacts.push(...(result.Items ?? []).map(toContact));
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
    const counted = await this.table.getItem(pk, keys.contactCount);
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
      // The count goes down with the contact; a tenant without a count yet keeps none, unless one
      // is written meanwhile (from a listing that still had this contact): then this tries again.
      counted
        ? this.countBy(contact.tenantId, -1, 'attribute_exists(pk)')
        : {
            ConditionCheck: {
              TableName: this.table.name,
              Key: { pk, sk: keys.contactCount },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
      // Either the grant this contact gave ends with them, or the tenant's active grant is still
      // the one read (none, or another contact's): a grant they create meanwhile cannot survive.
      ...(ending
        ? endGrantItems(this.table, ending)
        : [pointerUnchanged(this.table, contact.tenantId, activeGrantId)]),
    ];
    await this.table.transact(items);
  }
}
