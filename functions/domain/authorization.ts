import type { Contact } from './contact.ts';
import { EmailNotVerifiedError, ForbiddenError, NotAuthorizedContactError } from './errors.ts';

/** The caller, as the verified token describes them. */
export interface Principal {
  sub: string;
  email: string | null;
  /** Present for customer users; absent for vendor staff. */
  tenantId: string | null;
  roles: readonly string[];
  /** The identity provider verified `email`; an unverified email names nobody. */
  emailVerified: boolean;
}

export const ROLE_TENANT_ADMIN = 'tenant-admin';
export const ROLE_SUPPORT_AGENT = 'support-agent';

/**
 * Who may call a route:
 * - `public`: anyone, no token;
 * - `tenant-admin`: a tenant-admin of the path's tenant;
 * - `grant-reader`: a tenant-admin or any contact of the path's tenant, or a support agent;
 * - `authorized-contact`: a contact of the path's tenant with `canGrantAccess`;
 * - `instructing-contact`: a contact of the path's tenant with `canInstruct`;
 * - `support-agent`: vendor staff with the support-agent role (no tenant on the token).
 */
export type Access =
  | 'public'
  | 'tenant-admin'
  | 'grant-reader'
  | 'authorized-contact'
  | 'instructing-contact'
  | 'support-agent';

export interface Authorized {
  principal: Principal;
  /** The caller's own contact record in the path's tenant, when the rule needed it. */
  contact: Contact | null;
}

export type ContactLookup = (tenantId: string, email: string) => Promise<Contact | null>;

function isSupportAgent(principal: Principal): boolean {
  return principal.tenantId === null && principal.roles.includes(ROLE_SUPPORT_AGENT);
}

/**
 * The roles of docs/api.md. A foreign tenant or a missing role is `forbidden` and is decided before any lookup
 * of the path's tenant data, so nothing about another tenant leaks.
 */
export async function authorize(
  access: Access,
  principal: Principal,
  pathTenantId: string | null,
  findContact: ContactLookup,
): Promise<Authorized> {
  const ok = (contact: Contact | null = null): Authorized => ({ principal, contact });
  const agent = isSupportAgent(principal);
  const sameTenant =
    pathTenantId !== null && principal.tenantId !== null && principal.tenantId === pathTenantId;
  const admin = sameTenant && principal.roles.includes(ROLE_TENANT_ADMIN);
  // Contacts and agents are known by their email: one the identity provider did not verify
  // could be anyone's, so such a token acts as no contact and no agent.
  const verified = () => {
    if (!principal.emailVerified || !principal.email) throw new EmailNotVerifiedError();
  };
  const ownContact = async () => {
    if (!sameTenant || pathTenantId === null) return null;
    verified();
    return principal.email ? findContact(pathTenantId, principal.email) : null;
  };

  switch (access) {
    case 'public':
      return ok();
    case 'support-agent':
      if (!agent) throw new ForbiddenError('Only support agents may do this.');
      verified();
      return ok();
    case 'tenant-admin':
      if (!admin) throw new ForbiddenError('Only tenant admins of this tenant may do this.');
      return ok();
    case 'grant-reader': {
      if (agent) {
        verified();
        return ok();
      }
      if (!sameTenant) throw new ForbiddenError();
      // An admin reads by role; anyone else only as a contact, known by a verified email.
      if (admin && !principal.emailVerified) return ok();
      const contact = await ownContact();
      if (admin || contact) return ok(contact);
      throw new ForbiddenError('Only tenant admins and support contacts of this tenant may read its grants.');
    }
    case 'authorized-contact': {
      if (!sameTenant)
        throw new ForbiddenError('Only authorized support contacts of this tenant may do this.');
      const contact = await ownContact();
      if (contact?.canGrantAccess) return ok(contact);
      throw new NotAuthorizedContactError(pathTenantId as string);
    }
    case 'instructing-contact': {
      if (!sameTenant)
        throw new ForbiddenError(
          'Only support contacts of this tenant who may give instructions may do this.',
        );
      const contact = await ownContact();
      if (contact?.canInstruct) return ok(contact);
      throw new NotAuthorizedContactError(pathTenantId as string, 'instruct');
    }
  }
}
