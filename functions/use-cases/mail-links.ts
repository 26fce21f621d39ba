import {
  type ActionLink,
  EXTEND_LINK_VALID_SECONDS,
  EXTEND_OPTIONS,
  hashToken,
  type LinkAction,
  newToken,
} from '../domain/action-link.ts';
import type { AuditEvent, AuditEventOf, NotifiedEventType } from '../domain/audit.ts';
import type { Clock } from '../domain/clock.ts';
import type { Contact } from '../domain/contact.ts';
import { mayConfirm } from '../domain/instruction.ts';
import type { LinkStore } from '../domain/ports.ts';
import type { MailLinks, Recipient } from '../email/templates.ts';

/** An "End access now" link works until the grant ends; its record is kept at most this long. */
export const END_LINK_VALID_SECONDS = 366 * 86_400;

/** What issuing a mail's one-click links takes. */
export interface LinkIssuer {
  links: Pick<LinkStore, 'issueLinks'>;
  clock: Clock;
  /** The console page that a link's token opens. */
  linkUrl: (token: string) => string;
}

/** A mail's recipient: a contact, or the one just removed (no longer on the list). */
export type Addressee = Recipient &
  Pick<Contact, 'canGrantAccess' | 'canInstruct'> &
  Partial<Pick<Contact, 'createdAt'>>;

type NotifiedEvent = Extract<AuditEvent, { type: NotifiedEventType }>;

/** Which one-click links each notified event's email offers: a new notified type must say. */
export function linksFor(deps: LinkIssuer, event: NotifiedEvent, contact: Addressee): Promise<MailLinks> {
  switch (event.type) {
    case 'grant.created':
    case 'grant.expiring':
      return grantLinks(deps, event, contact, ['day', 'week']);
    case 'grant.extended':
      return grantLinks(deps, event, contact, []);
    case 'instruction.requested':
      return instructionLinks(deps, event, contact);
    case 'grant.revoked':
    case 'grant.expired':
    case 'contact.added':
    case 'contact.removed':
    case 'instruction.confirmed':
    case 'instruction.rejected':
    case 'instruction.lapsed':
    case 'instruction.completed':
      return Promise.resolve({});
    default:
      return event satisfies never;
  }
}

/**
 * The recipient's own links to end the grant and to extend it by each of `extendBy`, stored
 * (hashed) before the mail that carries them is sent. Only a contact who may grant access gets
 * any: for anyone else a link could do nothing.
 */
async function grantLinks(
  deps: LinkIssuer,
  event: NotifiedEvent,
  contact: Addressee,
  extendBy: readonly (keyof typeof EXTEND_OPTIONS)[],
): Promise<MailLinks> {
  if (!event.grantId || !contact.canGrantAccess) return {};
  const now = deps.clock.now();
  const grantId = event.grantId;
  const issue = (action: LinkAction, extendBySeconds: number | null, validSeconds: number) => {
    const token = newToken();
    const link: ActionLink = {
      tokenHash: hashToken(token),
      tenantId: event.tenantId,
      grantId,
      instructionId: null,
      contactId: contact.contactId,
      action,
      extendBySeconds,
      createdAt: now.toISOString(),
      validUntil: new Date(now.getTime() + validSeconds * 1000).toISOString(),
      usedAt: null,
    };
    return { token, link };
  };
  const end = issue('end', null, END_LINK_VALID_SECONDS);
  const extendLinks = extendBy.map((by) => issue('extend', EXTEND_OPTIONS[by], EXTEND_LINK_VALID_SECONDS));
  await deps.links.issueLinks([end.link, ...extendLinks.map((l) => l.link)]);
  const url = deps.linkUrl;
  const byOption = Object.fromEntries(extendBy.map((by, i) => [by, extendLinks[i]?.token]));
  return {
    end: url(end.token),
    extendDay: byOption.day && url(byOption.day),
    extendWeek: byOption.week && url(byOption.week),
  };
}

/**
 * "Confirm" and "Reject" for every contact who may confirm (another person than the requester,
 * registered to instruct before the request: `mayConfirm`), while the request waits for its
 * second pair of eyes; valid until it would lapse.
 */
async function instructionLinks(
  deps: LinkIssuer,
  event: AuditEventOf<'instruction.requested'>,
  contact: Addressee,
): Promise<MailLinks> {
  const { status, instructionId, confirmBy, requestedBy } = event.details;
  if (status !== 'pending-confirmation' || !confirmBy) return {};
  const registeredAt = contact.createdAt;
  // The request's event is written with the instruction, at its createdAt.
  const requested = { requestedBy, createdAt: event.at };
  if (!registeredAt || !mayConfirm(requested, { ...contact, createdAt: registeredAt })) return {};
  const now = deps.clock.now();
  const issued = (['confirm-instruction', 'reject-instruction'] as const).map((action) => {
    const token = newToken();
    const link: ActionLink = {
      tokenHash: hashToken(token),
      tenantId: event.tenantId,
      grantId: null,
      instructionId,
      contactId: contact.contactId,
      action,
      extendBySeconds: null,
      createdAt: now.toISOString(),
      validUntil: confirmBy,
      usedAt: null,
    };
    return { token, link };
  });
  await deps.links.issueLinks(issued.map((i) => i.link));
  const url = deps.linkUrl;
  return { confirm: url(issued[0]?.token ?? ''), reject: url(issued[1]?.token ?? '') };
}
