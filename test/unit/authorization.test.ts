import { describe, expect, it } from 'vitest';
import { type Access, authorize, type Principal } from '../../functions/domain/authorization.ts';
import type { Contact } from '../../functions/domain/contact.ts';

const contact = (overrides: Partial<Contact> = {}): Contact => ({
  contactId: 'c1',
  tenantId: 'acme',
  name: 'Ada',
  email: 'ada@acme.test',
  phone: '+4930123456',
  locale: 'en',
  timeZone: 'Europe/Berlin',
  canGrantAccess: true,
  canInstruct: true,
  createdAt: '2026-12-01T10:00:00.000Z',
  ...overrides,
});

const contacts: Record<string, Contact> = {
  'ada@acme.test': contact(),
  'bob@acme.test': contact({ contactId: 'c2', email: 'bob@acme.test', canGrantAccess: false }),
};
let lookups = 0;
const findContact = async (tenantId: string, email: string) => {
  lookups++;
  return tenantId === 'acme' ? (contacts[email.toLowerCase()] ?? null) : null;
};

const verified = (p: Omit<Principal, 'emailVerified'>): Principal => ({ ...p, emailVerified: true });
const unverified = (p: Principal): Principal => ({ ...p, emailVerified: false });
const who = {
  admin: verified({ sub: 'u1', email: 'admin@acme.test', tenantId: 'acme', roles: ['tenant-admin'] }),
  contact: verified({ sub: 'u2', email: 'ADA@acme.test', tenantId: 'acme', roles: [] }),
  readOnlyContact: verified({ sub: 'u3', email: 'bob@acme.test', tenantId: 'acme', roles: [] }),
  user: verified({ sub: 'u4', email: 'eve@acme.test', tenantId: 'acme', roles: [] }),
  foreignAdmin: verified({ sub: 'u5', email: 'ada@acme.test', tenantId: 'globex', roles: ['tenant-admin'] }),
  agent: verified({ sub: 'u6', email: 'agent@vendor.test', tenantId: null, roles: ['support-agent'] }),
  agentWithTenant: verified({
    sub: 'u7',
    email: 'ada@acme.test',
    tenantId: 'acme',
    roles: ['support-agent'],
  }),
  unverifiedContact: unverified(verified({ sub: 'u8', email: 'ada@acme.test', tenantId: 'acme', roles: [] })),
  unverifiedAgent: unverified(
    verified({ sub: 'u9', email: 'agent@vendor.test', tenantId: null, roles: ['support-agent'] }),
  ),
  unverifiedAdmin: unverified(
    verified({ sub: 'u10', email: 'ada@acme.test', tenantId: 'acme', roles: ['tenant-admin'] }),
  ),
  unverifiedForeign: unverified(
    verified({ sub: 'u11', email: 'ada@acme.test', tenantId: 'globex', roles: [] }),
  ),
} satisfies Record<string, Principal>;

async function outcome(access: Access, principal: Principal, tenant: string | null = 'acme') {
  try {
    await authorize(access, principal, tenant, findContact);
    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe('authorize (roles of docs/api.md)', () => {
  const matrix: [Access, keyof typeof who, string][] = [
    ['tenant-admin', 'admin', 'ok'],
    ['tenant-admin', 'contact', 'forbidden'],
    ['tenant-admin', 'foreignAdmin', 'forbidden'],
    ['tenant-admin', 'agent', 'forbidden'],
    ['grant-reader', 'admin', 'ok'],
    ['grant-reader', 'contact', 'ok'],
    ['grant-reader', 'readOnlyContact', 'ok'],
    ['grant-reader', 'user', 'forbidden'],
    ['grant-reader', 'agent', 'ok'],
    ['grant-reader', 'foreignAdmin', 'forbidden'],
    ['authorized-contact', 'contact', 'ok'],
    ['authorized-contact', 'readOnlyContact', 'not-authorized-contact'],
    ['authorized-contact', 'admin', 'not-authorized-contact'],
    ['authorized-contact', 'user', 'not-authorized-contact'],
    ['authorized-contact', 'agent', 'forbidden'],
    ['authorized-contact', 'foreignAdmin', 'forbidden'],
    ['support-agent', 'agent', 'ok'],
    ['support-agent', 'agentWithTenant', 'forbidden'],
    ['support-agent', 'admin', 'forbidden'],
    // An email the identity provider did not verify names no contact and no agent.
    ['authorized-contact', 'unverifiedContact', 'email-not-verified'],
    ['grant-reader', 'unverifiedContact', 'email-not-verified'],
    ['support-agent', 'unverifiedAgent', 'email-not-verified'],
    ['grant-reader', 'unverifiedAgent', 'email-not-verified'],
    ['authorized-contact', 'unverifiedAdmin', 'email-not-verified'],
    // Roles do not depend on the email: an admin stays an admin; a foreign tenant stays forbidden.
    ['tenant-admin', 'unverifiedAdmin', 'ok'],
    ['grant-reader', 'unverifiedAdmin', 'ok'],
    ['authorized-contact', 'unverifiedForeign', 'forbidden'],
    ['support-agent', 'unverifiedContact', 'forbidden'],
  ];
  it.each(matrix)('%s as %s → %s', async (access, principal, expected) => {
    expect(await outcome(access, who[principal])).toBe(expected);
  });

  it('decides a foreign tenant without looking at its data', async () => {
    lookups = 0;
    expect(await outcome('authorized-contact', who.foreignAdmin)).toBe('forbidden');
    expect(await outcome('grant-reader', who.foreignAdmin)).toBe('forbidden');
    expect(lookups).toBe(0);
  });

  it('never looks an unverified email up', async () => {
    lookups = 0;
    expect(await outcome('authorized-contact', who.unverifiedContact)).toBe('email-not-verified');
    expect(await outcome('grant-reader', who.unverifiedAdmin)).toBe('ok');
    expect(lookups).toBe(0);
  });
});
