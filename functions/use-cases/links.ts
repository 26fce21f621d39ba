import {
  type ActionLink,
  assertLinkPerson,
  assertUsable,
  hashToken,
  needsSignIn,
  TOKEN_PATTERN,
} from '../domain/action-link.ts';
import type { Principal } from '../domain/authorization.ts';
import type { Contact, Locale } from '../domain/contact.ts';
import { GrantNotActiveError, NotAuthorizedContactError, NotFoundError } from '../domain/errors.ts';
import { effectiveGrant, type Grant, isEffectivelyActive, publicGrant } from '../domain/grant.ts';
import type { Instruction } from '../domain/instruction.ts';
import type { Needs, SchedulingNeeds } from './deps.ts';
import { changeGrantDeadline, revokeGrant } from './grants.ts';
import { confirmInstruction, getInstruction, rejectInstruction } from './instructions.ts';

/** What an emailed link will do, shown before anyone confirms it. */
export type LinkView = {
  action: ActionLink['action'];
  extendBySeconds?: number;
  /** The link acts only for its contact signed in as themselves (extend, confirm). */
  signInRequired: boolean;
  tenantId: string;
  contact: { name: string; email: string; locale: Locale };
} & ({ grant: Grant } | { instruction: Instruction });

const isInstructionLink = (link: ActionLink) =>
  link.action === 'confirm-instruction' || link.action === 'reject-instruction';

/**
 * The link behind a token, still usable, of a contact who may still do what it does. An unknown
 * or malformed token is 404 (tampering reveals nothing), a used or expired one 410, a contact
 * removed or no longer allowed 403.
 */
async function usableLink(
  deps: Needs<'links' | 'contacts'>,
  token: string,
  now: Date,
): Promise<{ link: ActionLink; contact: Contact }> {
  const link = TOKEN_PATTERN.test(token) ? await deps.links.getLink(hashToken(token)) : null;
  if (!link) throw new NotFoundError('Link');
  assertUsable(link, now);
  const contact = await deps.contacts.getContact(link.tenantId, link.contactId);
  const instructing = isInstructionLink(link);
  if (!contact || !(instructing ? contact.canInstruct : contact.canGrantAccess))
    throw new NotAuthorizedContactError(link.tenantId, instructing ? 'instruct' : 'grant');
  return { link, contact };
}

async function grantOf(deps: Needs<'grants'>, link: ActionLink) {
  const grant = link.grantId ? await deps.grants.getGrant(link.tenantId, link.grantId) : null;
  if (!grant) throw new NotFoundError('Grant');
  return grant;
}

/** Reads what a link would do. Changes nothing: mail scanners open links. */
export async function viewLink(
  deps: Needs<'links' | 'contacts' | 'grants' | 'instructions'>,
  token: string,
  now: Date,
): Promise<LinkView> {
  const { link, contact } = await usableLink(deps, token, now);
  const base = {
    action: link.action,
    ...(link.extendBySeconds !== null ? { extendBySeconds: link.extendBySeconds } : {}),
    signInRequired: needsSignIn(link.action),
    tenantId: link.tenantId,
    contact: { name: contact.name, email: contact.email, locale: contact.locale },
  };
  if (isInstructionLink(link))
    return { ...base, instruction: await getInstruction(deps, link.tenantId, link.instructionId ?? '', now) };
  return { ...base, grant: publicGrant(effectiveGrant(await grantOf(deps, link), now)) };
}

/**
 * Who sent the request, as their verified bearer token says: null without one; throws
 * `UnauthenticatedError` for a token that does not verify. Asked only when the link needs its
 * person, so a stale sign-in never stands in the way of ending access.
 */
export type SignedIn = () => Promise<Principal | null>;

/**
 * Does what the link says, as its contact, re-checked now. Extend and confirm links act only for
 * their contact signed in (checked before anything is written). A grant link is used up in the
 * same transaction as the change, so a link clicked twice at once acts once; an instruction can
 * be decided once anyway, and its link is used after. "Extend by" moves the current deadline by
 * that much, capped at the longest grant allowed from now.
 */
export async function actOnLink(
  deps: SchedulingNeeds<'links' | 'contacts' | 'grants' | 'instructions'>,
  token: string,
  now: Date,
  signedIn: SignedIn,
): Promise<Grant | Instruction> {
  const { link, contact } = await usableLink(deps, token, now);
  if (needsSignIn(link.action)) assertLinkPerson(link, contact.email, await signedIn());
  const use = { tokenHash: link.tokenHash, usedAt: now.toISOString() };
  if (isInstructionLink(link)) {
    const decide = link.action === 'confirm-instruction' ? confirmInstruction : rejectInstruction;
    const decided = await decide(deps, link.tenantId, link.instructionId ?? '', contact, now);
    await deps.links.useLink(use).catch(() => undefined);
    return decided;
  }
  const through = { link: use };
  const grantId = link.grantId ?? '';
  if (link.action === 'end') return revokeGrant(deps, link.tenantId, grantId, contact, now, through);
  const grant = await grantOf(deps, link);
  if (!isEffectivelyActive(grant, now)) throw new GrantNotActiveError(grant.grantId);
  const by = (link.extendBySeconds ?? 0) * 1000;
  const cap = now.getTime() + deps.policy.maxSeconds * 1000;
  return changeGrantDeadline(
    deps,
    link.tenantId,
    grantId,
    contact,
    // Computed from the deadline each attempt reads, so a concurrent change is never undone.
    (current) => ({ expiresAt: new Date(Math.min(Date.parse(current.expiresAt) + by, cap)).toISOString() }),
    now,
    through,
  );
}
