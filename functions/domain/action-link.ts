import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from './authorization.ts';
import {
  EmailNotVerifiedError,
  ForbiddenError,
  LinkExpiredError,
  LinkUsedError,
  UnauthenticatedError,
} from './errors.ts';

/**
 * One-click links in emails: "End access now", "Extend by 1 day", "Extend by 1 week", and
 * "Confirm" or "Reject" of an instruction. The token is the credential (256 random bits); only
 * its SHA-256 hash is stored, so whoever reads the table cannot use a link. A link belongs to one
 * contact, one grant (or instruction) and one action, and works once. Links that take power away
 * act with the token alone; links that give support more power also need their contact signed
 * in, so a mail quoted into a support ticket never lets the vendor extend its own access or
 * approve a deletion.
 */
export const LINK_ACTIONS = ['end', 'extend', 'confirm-instruction', 'reject-instruction'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

export const EXTEND_OPTIONS = { day: 86_400, week: 7 * 86_400 } as const;
/** Extend links stop working this long after they were mailed. */
export const EXTEND_LINK_VALID_SECONDS = 7 * 86_400;
/** base64url of 32 bytes. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface ActionLink {
  tokenHash: string;
  tenantId: string;
  /** The grant an end or extend link acts on (null for instruction links). */
  grantId: string | null;
  /** The instruction a confirm or reject link acts on (null for grant links). */
  instructionId: string | null;
  contactId: string;
  action: LinkAction;
  /** Extend links: how far they move the current deadline. */
  extendBySeconds: number | null;
  createdAt: string;
  /** After this instant the link answers 410 `link-expired`. */
  validUntil: string;
  usedAt: string | null;
}

/** Marks a link used in the same transaction as the change it makes: a second use fails it. */
export interface LinkUse {
  tokenHash: string;
  usedAt: string;
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** 410 for a used or expired link; the order is the order a person would want explained. */
export function assertUsable(link: ActionLink, now: Date): void {
  if (link.usedAt) throw new LinkUsedError();
  if (Date.parse(link.validUntil) <= now.getTime()) throw new LinkExpiredError();
}

/** Extending access and confirming an instruction give support more power: they need the person. */
export function needsSignIn(action: LinkAction): boolean {
  return action === 'extend' || action === 'confirm-instruction';
}

/**
 * The signed-in caller is the link's contact: a token of the link's tenant whose verified email
 * is the contact's (case-insensitive). No token: 401; another tenant or another person: 403
 * `forbidden`; an email the identity provider did not verify names nobody: 403
 * `email-not-verified`.
 */
export function assertLinkPerson(link: ActionLink, contactEmail: string, caller: Principal | null): void {
  if (!caller)
    throw new UnauthenticatedError(
      'This link gives support more access: sign in as the contact it was emailed to, then use it.',
    );
  const notYours = () =>
    new ForbiddenError(
      'This link was emailed to another contact: only they can use it, signed in as themselves.',
    );
  if (caller.tenantId !== link.tenantId) throw notYours();
  if (!caller.emailVerified || !caller.email) throw new EmailNotVerifiedError();
  if (caller.email.toLowerCase() !== contactEmail.toLowerCase()) throw notYours();
}
