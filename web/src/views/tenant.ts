import type { Contact } from '../api.ts';
import type { Page } from '../page.ts';
import { auditCard } from './admin/audit.ts';
import { contactsCard } from './admin/contacts.ts';
import { integrationsCard } from './admin/integrations.ts';
import { currentAccessCard } from './contact/access.ts';
import { instructionsCard } from './contact/instructions.ts';
import { pastGrantsCard } from './contact/receipts.ts';

/** A page of one tenant, as its contacts see it. */
export interface TenantPage extends Page {
  readonly tenant: string;
}

/** The same page as the tenant's admin sees it: with the contacts, read once for every card. */
export interface AdminPage extends TenantPage {
  readonly contacts: Contact[];
  /** The API's warnings about the contacts (fewer than two can grant access). */
  readonly warnings: string[];
  /** Contacts' names by lower-case email: the audit log names people wherever it knows them. */
  readonly names: Map<string, string>;
}

/** One section of the tenant's page; it may ask the API for what it shows before it is drawn. */
export type Card<P extends TenantPage> = (page: P) => HTMLElement | Promise<HTMLElement>;

/** What every signed-in person of the tenant sees, top to bottom. */
const CONTACT_CARDS: Card<TenantPage>[] = [currentAccessCard, pastGrantsCard, instructionsCard];

/** What tenant admins see below that, top to bottom. A new admin section is one more entry. */
const ADMIN_CARDS: Card<AdminPage>[] = [contactsCard, auditCard, integrationsCard];

/** The cards are drawn one after another, in order, and shown together once all are ready. */
export async function tenantView(page: Page, tenant: string, isAdmin: boolean): Promise<HTMLElement[]> {
  const tenantPage: TenantPage = { ...page, tenant };
  const cards: HTMLElement[] = [];
  for (const card of CONTACT_CARDS) cards.push(await card(tenantPage));
  if (!isAdmin) return cards;
  const { contacts, warnings } = await page.api.contacts(tenant);
  const names = new Map(contacts.map((c) => [c.email.toLowerCase(), c.name]));
  const adminPage: AdminPage = { ...tenantPage, contacts, warnings, names };
  for (const card of ADMIN_CARDS) cards.push(await card(adminPage));
  return cards;
}
