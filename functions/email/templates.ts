import type { AuditEvent, NotifiedEventType } from '../domain/audit.ts';
import type { Locale } from '../domain/contact.ts';
import type { OutgoingEmail } from '../domain/ports.ts';
import { shorten } from '../domain/text.ts';
import { LAYOUT } from './layout.generated.ts';
import { DEFAULT_BRAND_NAME, type MailStyle } from './style.ts';

export type { MailStyle } from './style.ts';

interface GrantDetails {
  reason: string;
  ticket: string | null;
  expiresAt: string;
  grantedBy: { name: string; email: string };
  previousExpiresAt?: string;
  endedAt?: string;
  endReason?: 'revoked' | 'expired' | 'contact-removed';
}

interface ContactDetails {
  contactId: string;
  name: string;
  email: string;
  canGrantAccess?: boolean;
  canInstruct?: boolean;
}

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

/** What support did under an ended grant, as its end email shows it. */
export interface MailReceipt {
  accessChecks: number;
  callerVerifications: number;
  agents: string[];
  /** The first activities, one line each. */
  activities: string[];
  moreActivities: number;
  /** The full receipt in the console. */
  url: string;
  auditHead: string | null;
}

type InstructionEventType = Extract<NotifiedEventType, `instruction.${string}`>;
type GrantEventType = Exclude<NotifiedEventType, 'contact.added' | 'contact.removed' | InstructionEventType>;

interface InstructionDetails {
  instructionId: string;
  kind: 'account-deletion' | 'data-export' | 'other';
  details: string;
  requestedBy: { name: string; email: string };
  confirmedBy?: { name: string; email: string } | null;
  rejectedBy?: { name: string; email: string } | null;
  confirmBy?: string | null;
  completedBy?: string | null;
  note?: string | null;
}

const TEXT = {
  de: {
    subject: {
      'grant.created': 'Supportzugriff gewährt',
      'grant.extended': 'Supportzugriff geändert',
      'grant.expiring': 'Supportzugriff endet bald',
      'grant.revoked': 'Supportzugriff beendet',
      'grant.expired': 'Supportzugriff abgelaufen',
    },
    intro: {
      'grant.created': (t: string) => `der Support hat jetzt Zugriff auf das Konto ${t}.`,
      'grant.extended': (t: string) => `die Frist des Supportzugriffs auf das Konto ${t} wurde geändert.`,
      'grant.expiring': (t: string) =>
        `der Supportzugriff auf das Konto ${t} endet bald. Braucht der Support länger, verlängern Sie ihn; sonst endet er von selbst.`,
      'grant.revoked': (t: string) => `der Supportzugriff auf das Konto ${t} wurde vorzeitig beendet.`,
      'grant.expired': (t: string) =>
        `der Supportzugriff auf das Konto ${t} ist abgelaufen und wurde automatisch beendet.`,
    },
    contact: {
      addedSelf: {
        subject: 'Sie sind jetzt Supportkontakt',
        intro: (t: string, by: string) =>
          `${by} hat Sie als autorisierten Supportkontakt des Kontos ${t} eingetragen. Der Support des Anbieters prüft Anrufer anhand dieser Liste.`,
      },
      addedOther: {
        subject: 'Neuer Supportkontakt',
        intro: (t: string, by: string, who: string) =>
          `${by} hat ${who} als autorisierten Supportkontakt des Kontos ${t} eingetragen.`,
      },
      removedSelf: {
        subject: 'Sie sind kein Supportkontakt mehr',
        intro: (t: string, by: string) =>
          `${by} hat Sie als Supportkontakt des Kontos ${t} entfernt. Sie können dort keinen Supportzugriff mehr gewähren und keine Weisungen mehr erteilen.`,
      },
      removedOther: {
        subject: 'Supportkontakt entfernt',
        intro: (t: string, by: string, who: string) =>
          `${by} hat ${who} als Supportkontakt des Kontos ${t} entfernt.`,
      },
    },
    instruction: {
      subject: {
        'instruction.requested': 'Weisung erteilt',
        'instruction.confirmed': 'Weisung bestätigt',
        'instruction.rejected': 'Weisung abgelehnt',
        'instruction.lapsed': 'Weisung verfallen',
        'instruction.completed': 'Weisung ausgeführt',
      },
      intro: {
        'instruction.requested': (t: string, four: boolean) =>
          four
            ? `für das Konto ${t} wurde eine Weisung erteilt. Ein zweiter Kontakt, der Weisungen erteilen darf, muss sie bestätigen, bevor der Support sie ausführt.`
            : `für das Konto ${t} wurde eine Weisung an den Support erteilt.`,
        'instruction.confirmed': (t: string) =>
          `die Weisung für das Konto ${t} ist bestätigt; der Support führt sie aus.`,
        'instruction.rejected': (t: string) =>
          `die Weisung für das Konto ${t} wurde abgelehnt und wird nicht ausgeführt.`,
        'instruction.lapsed': (t: string) =>
          `die Weisung für das Konto ${t} wurde nicht rechtzeitig bestätigt und ist verfallen; sie wird nicht ausgeführt.`,
        'instruction.completed': (t: string) => `der Support hat die Weisung für das Konto ${t} ausgeführt.`,
      },
      kinds: { 'account-deletion': 'Kontolöschung', 'data-export': 'Datenexport', other: 'Sonstiges' },
      kind: 'Art',
      requestedBy: 'Erteilt von',
      details: 'Inhalt',
      confirmBy: 'Zu bestätigen bis',
      confirmedBy: 'Bestätigt von',
      rejectedBy: 'Abgelehnt von',
      completedBy: 'Ausgeführt von',
      note: 'Vermerk',
      confirm: 'Bestätigen',
      reject: 'Ablehnen',
    },
    mayGrant: 'Darf Supportzugriff gewähren',
    mayInstruct: 'Darf Weisungen erteilen',
    yes: 'ja',
    no: 'nein',
    greeting: (name: string) => `Hallo ${name},`,
    grantedBy: 'Gewährt von',
    reason: 'Grund',
    ticket: 'Ticket',
    none: '—',
    deadline: 'Frist',
    previous: 'Bisherige Frist',
    endedAt: 'Beendet am',
    why: 'Grund des Endes',
    endReasons: {
      revoked: 'von einem Kontakt beendet',
      expired: 'Frist abgelaufen',
      'contact-removed': 'der gewährende Kontakt wurde entfernt',
    },
    links: {
      end: 'Zugriff jetzt beenden',
      extendDay: 'Um 1 Tag verlängern',
      extendWeek: 'Um 1 Woche verlängern',
      note: 'Diese Links gelten nur für Sie und jeweils einmal; die Seite fragt nach, bevor etwas geschieht.',
    },
    receipt: {
      title: 'Was der Support in dieser Zeit getan hat',
      accessChecks: 'Zugriffsprüfungen',
      callerVerifications: 'Anruferprüfungen',
      agents: 'Supportmitarbeitende',
      activities: 'Tätigkeiten',
      more: (n: number) => `… und ${n} weitere (siehe vollständige Quittung)`,
      url: 'Vollständige Quittung',
      head: 'Prüfsumme Ihres Audit-Logs (aufbewahren, um den Log später zu prüfen)',
      none: 'keine',
    },
    footer: (t: string) => `Sie erhalten diese Nachricht als autorisierter Supportkontakt des Kontos ${t}.`,
    footerRemoved: (t: string) =>
      `Sie erhalten diese Nachricht, weil Sie bis eben Supportkontakt des Kontos ${t} waren.`,
    dateLocale: 'de-DE',
  },
  en: {
    subject: {
      'grant.created': 'Support access granted',
      'grant.extended': 'Support access changed',
      'grant.expiring': 'Support access ends soon',
      'grant.revoked': 'Support access ended',
      'grant.expired': 'Support access expired',
    },
    intro: {
      'grant.created': (t: string) => `support now has access to the account ${t}.`,
      'grant.extended': (t: string) => `the deadline of support access to the account ${t} was changed.`,
      'grant.expiring': (t: string) =>
        `support access to the account ${t} ends soon. If support needs longer, extend it; otherwise it ends by itself.`,
      'grant.revoked': (t: string) => `support access to the account ${t} was ended early.`,
      'grant.expired': (t: string) =>
        `support access to the account ${t} has expired and was ended automatically.`,
    },
    contact: {
      addedSelf: {
        subject: 'You are now a support contact',
        intro: (t: string, by: string) =>
          `${by} registered you as an authorized support contact of the account ${t}. The vendor’s support checks callers against this list.`,
      },
      addedOther: {
        subject: 'New support contact',
        intro: (t: string, by: string, who: string) =>
          `${by} registered ${who} as an authorized support contact of the account ${t}.`,
      },
      removedSelf: {
        subject: 'You are no longer a support contact',
        intro: (t: string, by: string) =>
          `${by} removed you as a support contact of the account ${t}. You can no longer grant support access or give instructions there.`,
      },
      removedOther: {
        subject: 'Support contact removed',
        intro: (t: string, by: string, who: string) =>
          `${by} removed ${who} as a support contact of the account ${t}.`,
      },
    },
    instruction: {
      subject: {
        'instruction.requested': 'Instruction given',
        'instruction.confirmed': 'Instruction confirmed',
        'instruction.rejected': 'Instruction rejected',
        'instruction.lapsed': 'Instruction lapsed',
        'instruction.completed': 'Instruction carried out',
      },
      intro: {
        'instruction.requested': (t: string, four: boolean) =>
          four
            ? `an instruction was given for the account ${t}. A second contact who may give instructions must confirm it before support carries it out.`
            : `an instruction to support was given for the account ${t}.`,
        'instruction.confirmed': (t: string) =>
          `the instruction for the account ${t} is confirmed; support will carry it out.`,
        'instruction.rejected': (t: string) =>
          `the instruction for the account ${t} was rejected and will not be carried out.`,
        'instruction.lapsed': (t: string) =>
          `the instruction for the account ${t} was not confirmed in time and has lapsed; it will not be carried out.`,
        'instruction.completed': (t: string) =>
          `support has carried out the instruction for the account ${t}.`,
      },
      kinds: { 'account-deletion': 'account deletion', 'data-export': 'data export', other: 'other' },
      kind: 'Kind',
      requestedBy: 'Given by',
      details: 'Details',
      confirmBy: 'To be confirmed by',
      confirmedBy: 'Confirmed by',
      rejectedBy: 'Rejected by',
      completedBy: 'Carried out by',
      note: 'Note',
      confirm: 'Confirm',
      reject: 'Reject',
    },
    mayGrant: 'May grant support access',
    mayInstruct: 'May give instructions',
    yes: 'yes',
    no: 'no',
    greeting: (name: string) => `Hello ${name},`,
    grantedBy: 'Granted by',
    reason: 'Reason',
    ticket: 'Ticket',
    none: '—',
    deadline: 'Deadline',
    previous: 'Previous deadline',
    endedAt: 'Ended at',
    why: 'Why it ended',
    endReasons: {
      revoked: 'ended by a contact',
      expired: 'the deadline passed',
      'contact-removed': 'the contact who granted it was removed',
    },
    links: {
      end: 'End access now',
      extendDay: 'Extend by 1 day',
      extendWeek: 'Extend by 1 week',
      note: 'These links are yours alone and work once each; the page asks you to confirm before anything happens.',
    },
    receipt: {
      title: 'What support did in this time',
      accessChecks: 'Access checks',
      callerVerifications: 'Caller verifications',
      agents: 'Support agents',
      activities: 'Activities',
      more: (n: number) => `… and ${n} more (see the full receipt)`,
      url: 'Full receipt',
      head: 'Your audit log’s head hash (keep it to verify the log later)',
      none: 'none',
    },
    footer: (t: string) => `You receive this message as an authorized support contact of the account ${t}.`,
    footerRemoved: (t: string) =>
      `You receive this message because you were a support contact of the account ${t} until now.`,
    dateLocale: 'en-GB',
  },
} as const;

/** How much of the reason a subject line shows, in characters as a reader counts them. */
const SUBJECT_REASON_MAX = 60;

/**
 * A time as the recipient reads it — their language, their zone, its abbreviation — with the
 * UTC instant beside it: "1. Dezember 2026 um 11:00 MEZ (2026-12-01 10:00 UTC)".
 */
export function formatTime(iso: string, locale: Locale, timeZone: string): string {
  const at = new Date(iso);
  const local = new Intl.DateTimeFormat(TEXT[locale].dateLocale, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(at);
  return `${local} (${at.toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/*
 * What people typed never passes for the mail's own words or links. A mail's one-click links
 * sit on lines of their own ("Confirm: https://…"); text a contact or an agent wrote could
 * carry a line of that shape and send a reader to someone else's page. So every value from a
 * person is set apart in both parts: free text of several lines (an instruction's details, a
 * completion note) is quoted, every line of it prefixed "> " in the text part and inside a
 * blockquote in the HTML; everything else (names, reasons, tickets, activities) is folded onto
 * the one line that starts with its label. Only the links block starts a line with a link's label.
 * In the HTML part every such value is also escaped and never a link: the only links are the
 * URLs the mail was given, each shown in full under its button.
 */

/** Every character a mail reader may take for the end of a line. */
const LINE_BREAKS = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/;

/** The text on one line: each run of line breaks becomes one space. */
export function foldLine(text: string): string {
  return text.replace(new RegExp(`(?:${LINE_BREAKS.source})+`, 'g'), ' ');
}

/** The text as a quote of its own, "> " before every line (a bare ">" before an empty one). */
export function quoteLines(text: string): string {
  return text
    .split(LINE_BREAKS)
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
}

/** A label and its value; a quoted value is a person's free text of any number of lines. */
type Row = readonly [label: string, value: string, quoted?: 'quoted'];

function textRow([label, value, quoted]: Row): string {
  if (quoted) return `${label}:\n${quoteLines(value)}`;
  return value ? `${label}: ${foldLine(value)}` : `${label}:`;
}

/** A value from a person in the HTML part: escaped, and isolated so right-to-left text keeps its place. */
function isolated(text: string): string {
  return `<bdi>${escapeHtml(foldLine(text))}</bdi>`;
}

function htmlRow([label, value, quoted]: Row): string {
  const cell = quoted
    ? `<blockquote style="margin:0;padding-left:8px;border-left:3px solid #999">${value
        .split(LINE_BREAKS)
        .map(escapeHtml)
        .join('<br>')}</blockquote>`
    : isolated(value);
  return fill('row', { label: escapeHtml(label), value: cell });
}

/**
 * A sentence of the mail's own with values from people in it; `mark` is applied to each such
 * value, so the HTML part can escape the sentence and isolate each value (a name written right
 * to left keeps its place in a left-to-right sentence).
 */
type Sentence = (mark: (value: string) => string) => string;

/** The sentence as HTML: the mail's words escaped, each value escaped and isolated. */
function sentenceHtml(sentence: Sentence): string {
  const values: string[] = [];
  const marked = sentence((value) => `\uE000${values.push(value) - 1}\uE000`);
  return escapeHtml(foldLine(marked)).replace(/\uE000(\d+)\uE000/g, (_, i: string) =>
    isolated(values[Number(i)] ?? ''),
  );
}

/** One template of the compiled layout with its slots filled; every slot must be given. */
function fill(template: keyof typeof LAYOUT, values: Record<string, string>): string {
  return LAYOUT[template].replace(/\{\{([a-z]+)\}\}/g, (_, slot: string) => {
    const value = values[slot];
    if (value === undefined) throw new Error(`Mail template "${template}" has no value for {{${slot}}}`);
    return value;
  });
}

interface Parts {
  subject: string;
  /** The mail's heading: what happened, without the subject's details. */
  heading: string;
  intro: Sentence;
  rows: Row[];
  links: [string, string][];
  /** Why the recipient receives the mail. */
  footer?: Sentence;
  receipt?: ReceiptParts;
}

interface ReceiptParts {
  title: string;
  rows: Row[];
  /** The activities under their label; none: the rows say so. */
  activities: { label: string; list: string[]; more: string | null } | null;
  link: [label: string, url: string];
  head: [label: string, hash: string] | null;
}

function receiptPart(receipt: MailReceipt, locale: Locale): ReceiptParts {
  const r = (TEXT[locale] ?? TEXT.de).receipt;
  const any = receipt.activities.length > 0 || receipt.moreActivities > 0;
  return {
    title: r.title,
    rows: [
      [r.accessChecks, String(receipt.accessChecks)],
      [r.callerVerifications, String(receipt.callerVerifications)],
      [r.agents, receipt.agents.length ? receipt.agents.join(', ') : r.none],
      ...(any ? [] : ([[r.activities, r.none]] as Row[])),
    ],
    activities: any
      ? {
          label: r.activities,
          list: receipt.activities,
          more: receipt.moreActivities > 0 ? r.more(receipt.moreActivities) : null,
        }
      : null,
    link: [r.url, receipt.url],
    head: receipt.auditHead ? [r.head, receipt.auditHead] : null,
  };
}

function receiptText(rc: ReceiptParts): string {
  const lines = [`${rc.title}:`, ...rc.rows.map(textRow)];
  if (rc.activities) {
    lines.push(`${rc.activities.label}:`, ...rc.activities.list.map((l) => `- ${foldLine(l)}`));
    if (rc.activities.more) lines.push(`- ${rc.activities.more}`);
  }
  lines.push(`${rc.link[0]}: ${rc.link[1]}`);
  if (rc.head) lines.push(`${rc.head[0]}: ${rc.head[1]}`);
  return lines.join('\n');
}

function receiptHtml(rc: ReceiptParts): string {
  return fill('receipt', {
    title: escapeHtml(rc.title),
    rows: rc.rows.map(htmlRow).join(''),
    activities: rc.activities
      ? fill('activities', {
          label: escapeHtml(rc.activities.label),
          items: rc.activities.list.map((l) => fill('activity', { text: isolated(l) })).join(''),
          more: rc.activities.more ? fill('more', { text: escapeHtml(rc.activities.more) }) : '',
        })
      : '',
    label: escapeHtml(rc.link[0]),
    href: escapeHtml(rc.link[1]),
    url: escapeHtml(rc.link[1]),
    head: rc.head ? fill('head', { label: escapeHtml(rc.head[0]), hash: escapeHtml(rc.head[1]) }) : '',
  });
}

function grantParts(
  type: GrantEventType,
  tenantId: string,
  d: GrantDetails,
  r: Recipient,
  links: MailLinks,
): Parts {
  const t = TEXT[r.locale] ?? TEXT.de;
  const time = (iso: string) => formatTime(iso, r.locale, r.timeZone);
  const rows: Row[] = [
    [t.grantedBy, `${d.grantedBy.name} <${d.grantedBy.email}>`],
    [t.reason, d.reason],
    [t.ticket, d.ticket ?? t.none],
  ];
  if (type === 'grant.extended' && d.previousExpiresAt) rows.push([t.previous, time(d.previousExpiresAt)]);
  rows.push([t.deadline, time(d.expiresAt)]);
  if ((type === 'grant.revoked' || type === 'grant.expired') && d.endedAt) {
    rows.push([t.endedAt, time(d.endedAt)]);
    rows.push([t.why, t.endReasons[d.endReason ?? 'expired']]);
  }
  const linkRows: [string, string][] = [];
  if (links.end) linkRows.push([t.links.end, links.end]);
  if (links.extendDay) linkRows.push([t.links.extendDay, links.extendDay]);
  if (links.extendWeek) linkRows.push([t.links.extendWeek, links.extendWeek]);
  return {
    subject: `${t.subject[type]}: ${shorten(d.reason, SUBJECT_REASON_MAX)}`,
    heading: t.subject[type],
    intro: (v) => t.intro[type](v(tenantId)),
    rows,
    links: linkRows,
  };
}

function instructionParts(
  type: InstructionEventType,
  tenantId: string,
  d: InstructionDetails,
  r: Recipient,
  links: MailLinks,
): Parts {
  const t = (TEXT[r.locale] ?? TEXT.de).instruction;
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

function contactParts(
  type: 'contact.added' | 'contact.removed',
  event: Pick<AuditEvent, 'tenantId' | 'actor'>,
  d: ContactDetails,
  r: Recipient,
): Parts {
  const t = TEXT[r.locale] ?? TEXT.de;
  const self = r.contactId === d.contactId;
  const who = `${d.name} <${d.email}>`;
  const text =
    type === 'contact.added'
      ? self
        ? t.contact.addedSelf
        : t.contact.addedOther
      : self
        ? t.contact.removedSelf
        : t.contact.removedOther;
  const rows: Row[] =
    type === 'contact.added'
      ? [
          [t.mayGrant, d.canGrantAccess ? t.yes : t.no],
          [t.mayInstruct, d.canInstruct ? t.yes : t.no],
        ]
      : [];
  return {
    subject: `${text.subject}: ${event.tenantId}`,
    heading: text.subject,
    intro: (v) => text.intro(v(event.tenantId), v(event.actor), v(who)),
    rows,
    links: [],
    ...(type === 'contact.removed' && self
      ? { footer: (v: (value: string) => string) => t.footerRemoved(v(event.tenantId)) }
      : {}),
  };
}

/**
 * The email about one notified event to one contact, in the contact's language and time zone,
 * text and HTML, with the recipient's one-click links where the event offers them.
 */
export function notificationEmail(
  event: Pick<AuditEvent, 'tenantId' | 'details' | 'actor'> & { type: NotifiedEventType },
  recipient: Recipient,
  links: MailLinks = {},
  receipt?: MailReceipt,
  style: MailStyle = {},
): OutgoingEmail {
  const t = TEXT[recipient.locale] ?? TEXT.de;
  const type = event.type;
  const parts =
    type === 'contact.added' || type === 'contact.removed'
      ? contactParts(type, event, event.details as unknown as ContactDetails, recipient)
      : type.startsWith('instruction.')
        ? instructionParts(
            type as InstructionEventType,
            event.tenantId,
            event.details as unknown as InstructionDetails,
            recipient,
            links,
          )
        : grantParts(
            type as GrantEventType,
            event.tenantId,
            event.details as unknown as GrantDetails,
            recipient,
            links,
          );
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
