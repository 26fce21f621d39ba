import { type ActionLink, assertUsable, hashToken, TOKEN_PATTERN } from '../domain/action-link.ts';
import type { Contact, Locale } from '../domain/contact.ts';
import { GrantNotActiveError, NotAuthorizedContactError, NotFoundError } from '../domain/errors.ts';
import {
  effectiveGrant,
  type Grant,
  isEffectivelyActive,
  publicGrant,
  type StoredGrant,
} from '../domain/grant.ts';
import type { Deps, SchedulingDeps } from './deps.ts';
import { changeGrantDeadline, revokeGrant } from './grants.ts';

/** What an emailed link will do, shown before anyone confirms it. */
export interface LinkView {
  action: ActionLink['action'];
  extendBySeconds?: number;
  tenantId: string;
  grant: Grant;
  contact: { name: string; email: string; locale: Locale };
}

/**
 * The link behind a token, still usable, of a contact who may still grant access. An unknown or
 * malformed token is 404 (tampering reveals nothing), a used or expired one 410, a contact
 * removed or no longer allowed to grant 403.
 */
async function usableLink(
  deps: Deps,
  token: string,
  now: Date,
): Promise<{ link: ActionLink; contact: Contact; grant: StoredGrant }> {
  const link = TOKEN_PATTERN.test(token) ? await deps.store.getLink(hashToken(token)) : null;
  if (!link) throw new NotFoundError('Link');
  assertUsable(link, now);
  const contact = await deps.store.getContact(link.tenantId, link.contactId);
  if (!contact?.canGrantAccess) throw new NotAuthorizedContactError(link.tenantId);
  const grant = await deps.store.getGrant(link.tenantId, link.grantId);
  if (!grant) throw new NotFoundError('Grant');
  return { link, contact, grant };
}

/** Reads what a link would do. Changes nothing: mail scanners open links. */
export async function viewLink(deps: Deps, token: string, now: Date): Promise<LinkView> {
  const { link, contact, grant } = await usableLink(deps, token, now);
  return {
    action: link.action,
    ...(link.extendBySeconds !== null ? { extendBySeconds: link.extendBySeconds } : {}),
    tenantId: link.tenantId,
    grant: publicGrant(effectiveGrant(grant, now)),
    contact: { name: contact.name, email: contact.email, locale: contact.locale },
  };
}

/**
 * Does what the link says, as its contact, re-checked now. The link is used up in the same
 * transaction as the change, so a link clicked twice at once acts once. "Extend by" moves the
 * current deadline by that much, capped at the longest grant allowed from now.
 */
export async function actOnLink(deps: SchedulingDeps, token: string, now: Date): Promise<Grant> {
  const { link, contact, grant } = await usableLink(deps, token, now);
  const through = { link: { tokenHash: link.tokenHash, usedAt: now.toISOString() } };
  if (link.action === 'end') return revokeGrant(deps, link.tenantId, link.grantId, contact, now, through);
  if (!isEffectivelyActive(grant, now)) throw new GrantNotActiveError(grant.grantId);
  const by = (link.extendBySeconds ?? 0) * 1000;
  const cap = now.getTime() + deps.policy.maxSeconds * 1000;
  return changeGrantDeadline(
    deps,
    link.tenantId,
    link.grantId,
    contact,
    // Computed from the deadline each attempt reads, so a concurrent change is never undone.
    (current) => ({ expiresAt: new Date(Math.min(Date.parse(current.expiresAt) + by, cap)).toISOString() }),
    now,
    through,
  );
}
