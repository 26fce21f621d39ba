/**
 * How a mail is put together from its parts: times as the recipient reads them, rows of
 * labelled values, the compiled layout's slots, and the receipt of an ended grant.
 */
import type { Locale } from '../domain/contact.ts';
import { LAYOUT } from './layout.generated.ts';
import { TEXT } from './text.ts';

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

export function escapeHtml(text: string): string {
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
export type Row = readonly [label: string, value: string, quoted?: 'quoted'];

export function textRow([label, value, quoted]: Row): string {
  if (quoted) return `${label}:\n${quoteLines(value)}`;
  return value ? `${label}: ${foldLine(value)}` : `${label}:`;
}

/** A value from a person in the HTML part: escaped, and isolated so right-to-left text keeps its place. */
function isolated(text: string): string {
  return `<bdi>${escapeHtml(foldLine(text))}</bdi>`;
}

export function htmlRow([label, value, quoted]: Row): string {
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
export type Sentence = (mark: (value: string) => string) => string;

/** The sentence as HTML: the mail's words escaped, each value escaped and isolated. */
export function sentenceHtml(sentence: Sentence): string {
  const values: string[] = [];
  const marked = sentence((value) => `\uE000${values.push(value) - 1}\uE000`);
  return escapeHtml(foldLine(marked)).replace(/\uE000(\d+)\uE000/g, (_, i: string) =>
    isolated(values[Number(i)] ?? ''),
  );
}

/** One template of the compiled layout with its slots filled; every slot must be given. */
export function fill(template: keyof typeof LAYOUT, values: Record<string, string>): string {
  return LAYOUT[template].replace(/\{\{([a-z]+)\}\}/g, (_, slot: string) => {
    const value = values[slot];
    if (value === undefined) throw new Error(`Mail template "${template}" has no value for {{${slot}}}`);
    return value;
  });
}

export interface Parts {
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

export interface ReceiptParts {
  title: string;
  rows: Row[];
  /** The activities under their label; none: the rows say so. */
  activities: { label: string; list: string[]; more: string | null } | null;
  link: [label: string, url: string];
  head: [label: string, hash: string] | null;
}

export function receiptPart(receipt: MailReceipt, locale: Locale): ReceiptParts {
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

export function receiptText(rc: ReceiptParts): string {
  const lines = [`${rc.title}:`, ...rc.rows.map(textRow)];
  if (rc.activities) {
    lines.push(`${rc.activities.label}:`, ...rc.activities.list.map((l) => `- ${foldLine(l)}`));
    if (rc.activities.more) lines.push(`- ${rc.activities.more}`);
  }
  lines.push(`${rc.link[0]}: ${rc.link[1]}`);
  if (rc.head) lines.push(`${rc.head[0]}: ${rc.head[1]}`);
  return lines.join('\n');
}

export function receiptHtml(rc: ReceiptParts): string {
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
