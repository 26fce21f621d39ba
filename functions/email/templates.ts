/**
 * The email about one notified event to one contact: which parts each event type's mail has
 * (its words are in text.ts, its assembly in render.ts).
 */
import type { AuditEventOf, NotifiedEventType } from '../domain/audit.ts';
import type { Locale } from '../domain/contact.ts';
import type { OutgoingEmail } from '../domain/ports.ts';
import { shorten } from '../domain/text.ts';
import {
  escapeHtml,
  fill,
  foldLine,
  formatTime,
  htmlRow,
  type MailReceipt,
  type Parts,
  type Row,
  receiptHtml,
  receiptPart,
  receiptText,
  type Sentence,
  sentenceHtml,
  textRow,
} from './render.ts';
import { DEFAULT_BRAND_NAME, type MailStyle } from './style.ts';
import { TEXT } from './text.ts';

export { foldLine, formatTime, type MailReceipt, quoteLines } from './render.ts';
export type { MailStyle } from './style.ts';

/** Who an email goes to: their language and time zone decide how it reads. */
export interface Recipient {
  contactId: string;
  name: string;
  email: string;
  locale: Locale;
  timeZone: string;
}

/** The recipient's own one-click links (console pages that ask before they act). */
export interface MailLinks {
  end?: string | undefined;
  extendDay?: string | undefined;
  extendWeek?: string | undefined;
  confirm?: string | undefined;
  reject?: string | undefined;
}

/** An event every contact is emailed about, as much of it as its mail shows. */
export type NotifiedEvent<K extends NotifiedEventType = NotifiedEventType> = {
  [P in K]: Pick<AuditEventOf<P>, 'tenantId' | 'actor' | 'type' | 'details'>;
}[K];

type InstructionEventType = Extract<NotifiedEventType, `instruction.${string}`>;
type ContactEventType = Extract<NotifiedEventType, `contact.${string}`>;
type GrantEventType = Exclude<NotifiedEventType, ContactEventType | InstructionEventType>;

/** How much of the reason a subject line shows, in characters as a reader counts them. */
const SUBJECT_REASON_MAX = 60;

function grantParts(event: NotifiedEvent<GrantEventType>, r: Recipient, links: MailLinks): Parts {
  const t = TEXT[r.locale] ?? TEXT.de;
  const d = event.details;
  const time = (iso: string) => formatTime(iso, r.locale, r.timeZone);
  const rows: Row[] = [
    [t.grantedBy, `${d.grantedBy.name} <${d.grantedBy.email}>`],
    [t.reason, d.reason],
    [t.ticket, d.ticket ?? t.none],
  ];
  if (event.type === 'grant.extended') rows.push([t.previous, time(event.details.previousExpiresAt)]);
  rows.push([t.deadline, time(d.expiresAt)]);
  if (event.type === 'grant.revoked' || event.type === 'grant.expired') {
    rows.push([t.endedAt, time(event.details.endedAt)]);
    rows.push([t.why, t.endReasons[event.details.endReason]]);
  }
  const linkRows: [string, string][] = [];
  if (links.end) linkRows.push([t.links.end, links.end]);
  if (links.extendDay) linkRows.push([t.links.extendDay, links.extendDay]);
  if (links.extendWeek) linkRows.push([t.links.extendWeek, links.extendWeek]);
  return {
    subject: `${t.subject[event.type]}: ${shorten(d.reason, SUBJECT_REASON_MAX)}`,
    heading: t.subject[event.type],
    intro: (v) => t.intro[event.type](v(event.tenantId)),
    rows,
    links: linkRows,
  };
}

function instructionParts(event: NotifiedEvent<InstructionEventType>, r: Recipient, links: MailLinks): Parts {
  const t = (TEXT[r.locale] ?? TEXT.de).instruction;
  const { type, tenantId, details: d } = event;
  const person = (p: { name: string; email: string }) => `${p.name} <${p.email}>`;
  const rows: Row[] = [
    [t.kind, t.kinds[d.kind] ?? d.kind],
    [t.requestedBy, person(d.requestedBy)],
    [t.details, d.details, 'quoted'],
  ];
  if (type === 'instruction.requested' && d.confirmBy)
    rows.push([t.confirmBy, formatTime(d.confirmBy, r.locale, r.timeZone)]);
  if (d.confirmedBy) rows.push([t.confirmedBy, person(d.confirmedBy)]);
  if (d.rejectedBy) rows.push([t.rejectedBy, person(d.rejectedBy)]);
  if (type === 'instruction.completed' && d.completedBy) rows.push([t.completedBy, d.completedBy]);
  if (d.note) rows.push([t.note, d.note, 'quoted']);
  const linkRows: [string, string][] = [];
  if (links.confirm) linkRows.push([t.confirm, links.confirm]);
  if (links.reject) linkRows.push([t.reject, links.reject]);
  return {
    subject: `${t.subject[type]}: ${t.kinds[d.kind] ?? d.kind} (${tenantId})`,
    heading: t.subject[type],
    intro: (v) => t.intro[type](v(tenantId), Boolean(d.confirmBy)),
    rows,
    links: linkRows,
  };
}

function contactParts(event: NotifiedEvent<ContactEventType>, r: Recipient): Parts {
  const t = TEXT[r.locale] ?? TEXT.de;
  const d = event.details;
  const self = r.contactId === d.contactId;
  const who = `${d.name} <${d.email}>`;
  const added = event.type === 'contact.added';
  const text = added
    ? self
      ? t.contact.addedSelf
      : t.contact.addedOther
    : self
      ? t.contact.removedSelf
      : t.contact.removedOther;
  const rows: Row[] =
    event.type === 'contact.added'
      ? [
          [t.mayGrant, event.details.canGrantAccess ? t.yes : t.no],
          [t.mayInstruct, event.details.canInstruct ? t.yes : t.no],
        ]
      : [];
  return {
    subject: `${text.subject}: ${event.tenantId}`,
    heading: text.subject,
    intro: (v) => text.intro(v(event.tenantId), v(event.actor), v(who)),
    rows,
    links: [],
    ...(!added && self
      ? { footer: (v: (value: string) => string) => t.footerRemoved(v(event.tenantId)) }
      : {}),
  };
}

/** The parts of the mail about this event: a new notified type that is not handled here does not compile. */
function partsOf(event: NotifiedEvent, recipient: Recipient, links: MailLinks): Parts {
  switch (event.type) {
    case 'contact.added':
    case 'contact.removed':
      return contactParts(event, recipient);
    case 'grant.created':
    case 'grant.extended':
    case 'grant.expiring':
    case 'grant.revoked':
    case 'grant.expired':
      return grantParts(event, recipient, links);
    case 'instruction.requested':
    case 'instruction.confirmed':
    case 'instruction.rejected':
    case 'instruction.lapsed':
    case 'instruction.completed':
      return instructionParts(event, recipient, links);
    default:
      return event satisfies never;
  }
}

/**
 * The email about one notified event to one contact, in the contact's language and time zone,
 * text and HTML, with the recipient's one-click links where the event offers them.
 */
export function notificationEmail(
  event: NotifiedEvent,
  recipient: Recipient,
  links: MailLinks = {},
  receipt?: MailReceipt,
  style: MailStyle = {},
): OutgoingEmail {
  const t = TEXT[recipient.locale] ?? TEXT.de;
  const parts = partsOf(event, recipient, links);
  if (receipt) parts.receipt = receiptPart(receipt, recipient.locale);
  const brand = foldLine(style.brand ?? DEFAULT_BRAND_NAME);
  const subject = foldLine(parts.subject);
  const greeting: Sentence = (v) => t.greeting(v(recipient.name));
  const footer: Sentence = parts.footer ?? ((v) => t.footer(v(event.tenantId)));
  const plain = (sentence: Sentence) => foldLine(sentence((value) => value));
  const intro = plain(parts.intro);

  const rows = parts.rows.map(textRow).join('\n');
  const linksText = parts.links.length
    ? `\n\n${parts.links.map(([label, url]) => `${label}: ${url}`).join('\n')}\n${t.links.note}`
    : '';
  const text =
    `${plain(greeting)}\n\n${intro}${rows ? `\n\n${rows}` : ''}${linksText}` +
    `${parts.receipt ? `\n\n${receiptText(parts.receipt)}` : ''}\n\n${plain(footer)}\n-- \n${brand}\n`;

  const html = fill('layout', {
    lang: recipient.locale === 'en' ? 'en' : 'de',
    title: escapeHtml(subject),
    preheader: escapeHtml(intro),
    brand: escapeHtml(brand),
    heading: escapeHtml(parts.heading),
    greeting: sentenceHtml(greeting),
    intro: sentenceHtml(parts.intro),
    facts: parts.rows.length ? fill('facts', { rows: parts.rows.map(htmlRow).join('') }) : '',
    actions: parts.links.length
      ? fill('actions', {
          buttons: parts.links
            .map(([label, url]) =>
              fill('button', { label: escapeHtml(label), href: escapeHtml(url), url: escapeHtml(url) }),
            )
            .join(''),
          note: escapeHtml(t.links.note),
        })
      : '',
    receipt: parts.receipt ? receiptHtml(parts.receipt) : '',
    footer: sentenceHtml(footer),
  });
  return { to: recipient.email, subject, text, html };
}
