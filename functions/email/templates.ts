import type { AuditEvent, NotifiedEventType } from '../domain/audit.ts';
import type { Locale } from '../domain/contact.ts';
import type { OutgoingEmail } from '../domain/ports.ts';
import { shorten } from '../domain/text.ts';

interface Details {
  reason: string;
  ticket: string | null;
  expiresAt: string;
  grantedBy: { name: string; email: string };
  previousExpiresAt?: string;
  endedAt?: string;
  endReason?: 'revoked' | 'expired' | 'contact-removed';
}

const TEXT = {
  de: {
    subject: {
      'grant.created': 'Supportzugriff gewährt',
      'grant.extended': 'Supportzugriff geändert',
      'grant.revoked': 'Supportzugriff beendet',
      'grant.expired': 'Supportzugriff abgelaufen',
    },
    intro: {
      'grant.created': (t: string) => `der Support hat jetzt Zugriff auf das Konto ${t}.`,
      'grant.extended': (t: string) => `die Frist des Supportzugriffs auf das Konto ${t} wurde geändert.`,
      'grant.revoked': (t: string) => `der Supportzugriff auf das Konto ${t} wurde vorzeitig beendet.`,
      'grant.expired': (t: string) =>
        `der Supportzugriff auf das Konto ${t} ist abgelaufen und wurde automatisch beendet.`,
    },
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
    footer: 'Sie erhalten diese Nachricht als autorisierter Supportkontakt.',
    dateLocale: 'de-DE',
  },
  en: {
    subject: {
      'grant.created': 'Support access granted',
      'grant.extended': 'Support access changed',
      'grant.revoked': 'Support access ended',
      'grant.expired': 'Support access expired',
    },
    intro: {
      'grant.created': (t: string) => `support now has access to the account ${t}.`,
      'grant.extended': (t: string) => `the deadline of support access to the account ${t} was changed.`,
      'grant.revoked': (t: string) => `support access to the account ${t} was ended early.`,
      'grant.expired': (t: string) =>
        `support access to the account ${t} has expired and was ended automatically.`,
    },
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
    footer: 'You receive this message as an authorized support contact.',
    dateLocale: 'en-GB',
  },
} as const;

/** How much of the reason a subject line shows, in characters as a reader counts them. */
const SUBJECT_REASON_MAX = 60;

function formatTime(iso: string, locale: Locale): string {
  const formatted = new Intl.DateTimeFormat(TEXT[locale].dateLocale, {
    dateStyle: 'long',
    timeStyle: 'medium',
    timeZone: 'UTC',
  }).format(new Date(iso));
  return `${formatted} UTC`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The email for one grant event to one contact, in the contact's language, text and HTML. */
export function grantEmail(
  event: Pick<AuditEvent, 'tenantId' | 'details'> & { type: NotifiedEventType },
  recipient: { name: string; email: string; locale: Locale },
): OutgoingEmail {
  const type = event.type;
  const t = TEXT[recipient.locale] ?? TEXT.de;
  const d = event.details as unknown as Details;
  const rows: [string, string][] = [
    [t.grantedBy, `${d.grantedBy.name} <${d.grantedBy.email}>`],
    [t.reason, d.reason],
    [t.ticket, d.ticket ?? t.none],
  ];
  if (type === 'grant.extended' && d.previousExpiresAt)
    rows.push([t.previous, formatTime(d.previousExpiresAt, recipient.locale)]);
  rows.push([t.deadline, formatTime(d.expiresAt, recipient.locale)]);
  if ((type === 'grant.revoked' || type === 'grant.expired') && d.endedAt) {
    rows.push([t.endedAt, formatTime(d.endedAt, recipient.locale)]);
    rows.push([t.why, t.endReasons[d.endReason ?? 'expired']]);
  }
  const subject = `${t.subject[type]}: ${shorten(d.reason, SUBJECT_REASON_MAX)}`;
  const intro = `${t.greeting(recipient.name)}\n\n${t.intro[type](event.tenantId)}`;
  const text = `${intro}\n\n${rows.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${t.footer}\n`;
  const html =
    `<!doctype html><html lang="${recipient.locale}"><body>` +
    `<p>${escapeHtml(t.greeting(recipient.name))}</p><p>${escapeHtml(t.intro[type](event.tenantId))}</p>` +
    `<table>${rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>` +
    `<p><small>${escapeHtml(t.footer)}</small></p></body></html>`;
  return { to: recipient.email, subject, text, html };
}
