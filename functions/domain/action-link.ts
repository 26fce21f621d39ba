import { createHash, randomBytes } from 'node:crypto';
import { LinkExpiredError, LinkUsedError } from './errors.ts';

/**
 * One-click links in emails: "End access now", "Extend by 1 day", "Extend by 1 week". The token
 * is the credential (256 random bits); only its SHA-256 hash is stored, so whoever reads the
 * table cannot use a link. A link belongs to one contact, one grant and one action, and works
 * once.
 */
export type LinkAction = 'end' | 'extend' | 'confirm-instruction' | 'reject-instruction';

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
