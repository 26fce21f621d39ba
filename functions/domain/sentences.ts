/**
 * Every audit event as one sentence in the reader's language: the console's audit log and
 * receipts, and the text of Slack webhooks. Pure (no DOM, no Node): the console bundles it too.
 */
import type { EventDetails, EventType } from './event-types.ts';
import type { InstructionKind } from './instruction.ts';

export type SentenceLocale = 'de' | 'en';

/** What a sentence is made from: an event of type K as the API shows it (the tenant only where known). */
export type DescribedEvent<K extends EventType = EventType> = {
  [P in K]: { type: P; actor: string; details: EventDetails<P>; tenantId?: string | undefined };
}[K];

export interface DescribeOptions {
  /** Names of people by their email in lower case (actors, mail recipients); an unknown one reads as its email. */
  names?: ReadonlyMap<string, string> | undefined;
  /** How an instant reads (the console: the reader's zone); default and always for Slack: UTC. */
  formatTime?: ((iso: string) => string) | undefined;
  /**
   * `slack`: for a message that stands alone in a channel. It names the tenant first, the
   * grant's reason in every grant event, every time in UTC, and escapes what people typed so it
   * cannot mention anyone or make a link of Slack's `<…|…>` kind (Slack reads `<…>` and `&` in
   * text); sent with `mrkdwn: false`, `*` and `_` stay as typed too. Slack may still show a typed
   * address as a link.
   */
  mode?: 'console' | 'slack' | undefined;
}

/** An instant in UTC, to the minute: "2026-12-01 10:00 UTC". */
export function utcTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export const INSTRUCTION_KIND_NAMES: Record<SentenceLocale, Record<InstructionKind, string>> = {
  en: { 'account-deletion': 'Account deletion', 'data-export': 'Data export', other: 'Other' },
  de: { 'account-deletion': 'Kontolöschung', 'data-export': 'Datenexport', other: 'Sonstiges' },
};

/** What every sentence may draw on, its values already made safe for the mode. */
interface Context {
  /** Who acted, by name where known. */
  who: string;
  /** A person's name by email, else the email. */
  name: (email: string) => string;
  /** An instant as this reader reads it. */
  at: (iso: string) => string;
  /** A value a person typed (a reason, an action). */
  v: (text: string) => string;
  /**
   * Slack's words about the grant inside a sentence: its reason, and its deadline where the
   * sentence does not name it; nothing on the console.
   */
  about: (reason: string, expiresAt?: string) => string;
  kind: (kind: InstructionKind) => string;
  /** How a change came, when it came by a link in an email. */
  via: (channel: 'email-link' | undefined) => string;
}

type Says = { [K in EventType]: (details: EventDetails<K>, c: Context) => string };

const VIA_LINK: Record<SentenceLocale, string> = {
  en: ' (by the link in an email)',
  de: ' (über den Link in einer E-Mail)',
};

const EN: Says = {
  'contact.added': (d, c) => `${c.who} added ${c.v(d.name)} as a support contact.`,
  'contact.removed': (d, c) => `${c.who} removed ${c.v(d.name)} as a support contact.`,
  'grant.created': (d, c) => `${c.who} granted support access until ${c.at(d.expiresAt)} (${c.v(d.reason)}).`,
  'grant.extended': (d, c) =>
    `${c.who} changed the end of support access to ${c.at(d.expiresAt)}${c.about(d.reason)}.${c.via(d.channel)}`,
  'grant.expiring': (d, c) =>
    `Every contact was reminded that support access${c.about(d.reason)} ends at ${c.at(d.expiresAt)}.`,
  'grant.revoked': (d, c) =>
    d.endReason === 'contact-removed'
      ? `Support access${c.about(d.reason, d.expiresAt)} ended because the contact who granted it was removed.`
      : `${c.who} ended support access${c.about(d.reason, d.expiresAt)}.${c.via(d.channel)}`,
  'grant.expired': (d, c) =>
    `Support access${c.about(d.reason)} ended by itself at its deadline, ${c.at(d.expiresAt)}.`,
  'access.checked': (d, c) =>
    `${c.who} checked whether support may access the account: ${d.access ? 'yes' : 'no'}.`,
  'contact.verified': (d, c) =>
    `${c.who} verified a caller: ${d.authorized ? 'a registered contact' : 'not a registered contact'}.`,
  'support.activity': (d, c) => `${c.who} reported: ${activity(d, c)}.`,
  'instruction.requested': (d, c) => `${c.who} gave an instruction: ${c.kind(d.kind)}.`,
  'instruction.confirmed': (d, c) => `${c.who} confirmed the instruction: ${c.kind(d.kind)}.`,
  'instruction.rejected': (d, c) => `${c.who} rejected the instruction: ${c.kind(d.kind)}.`,
  'instruction.lapsed': (d, c) => `The instruction lapsed unconfirmed: ${c.kind(d.kind)}.`,
  'instruction.completed': (d, c) => `${c.who} carried out the instruction: ${c.kind(d.kind)}.`,
  'webhook.added': (d, c) => `${c.who} added a webhook to ${c.v(d.url)}.`,
  'webhook.removed': (d, c) => `${c.who} removed the webhook to ${c.v(d.url)}.`,
  'webhook.secret-rotated': (_d, c) => `${c.who} rotated a webhook's signing secret.`,
  'notification.sent': (d, c) => `Email sent to ${c.name(d.recipient)}.`,
  'notification.failed': (d, c) => `Email to ${c.name(d.recipient)} could not be sent.`,
};

const DE: Says = {
  'contact.added': (d, c) => `${c.who} hat ${c.v(d.name)} als Supportkontakt eingetragen.`,
  'contact.removed': (d, c) => `${c.who} hat ${c.v(d.name)} als Supportkontakt entfernt.`,
  'grant.created': (d, c) =>
    `${c.who} hat Supportzugriff bis ${c.at(d.expiresAt)} gewährt (${c.v(d.reason)}).`,
  'grant.extended': (d, c) =>
    `${c.who} hat das Ende des Supportzugriffs${c.about(d.reason)} auf ${c.at(d.expiresAt)} geändert.${c.via(d.channel)}`,
  'grant.expiring': (d, c) =>
    `Alle Kontakte wurden erinnert, dass der Supportzugriff${c.about(d.reason)} am ${c.at(d.expiresAt)} endet.`,
  'grant.revoked': (d, c) =>
    d.endReason === 'contact-removed'
      ? `Der Supportzugriff${c.about(d.reason, d.expiresAt)} endete, weil der gewährende Kontakt entfernt wurde.`
      : `${c.who} hat den Supportzugriff${c.about(d.reason, d.expiresAt)} beendet.${c.via(d.channel)}`,
  'grant.expired': (d, c) =>
    `Der Supportzugriff${c.about(d.reason)} endete von selbst mit seiner Frist, ${c.at(d.expiresAt)}.`,
  'access.checked': (d, c) =>
    `${c.who} hat geprüft, ob der Support auf das Konto zugreifen darf: ${d.access ? 'ja' : 'nein'}.`,
  'contact.verified': (d, c) =>
    `${c.who} hat einen Anrufer geprüft: ${d.authorized ? 'registrierter Kontakt' : 'kein registrierter Kontakt'}.`,
  'support.activity': (d, c) => `${c.who} meldet: ${activity(d, c)}.`,
  'instruction.requested': (d, c) => `${c.who} hat eine Weisung erteilt: ${c.kind(d.kind)}.`,
  'instruction.confirmed': (d, c) => `${c.who} hat die Weisung bestätigt: ${c.kind(d.kind)}.`,
  'instruction.rejected': (d, c) => `${c.who} hat die Weisung abgelehnt: ${c.kind(d.kind)}.`,
  'instruction.lapsed': (d, c) => `Die Weisung ist unbestätigt verfallen: ${c.kind(d.kind)}.`,
  'instruction.completed': (d, c) => `${c.who} hat die Weisung ausgeführt: ${c.kind(d.kind)}.`,
  'webhook.added': (d, c) => `${c.who} hat einen Webhook an ${c.v(d.url)} eingerichtet.`,
  'webhook.removed': (d, c) => `${c.who} hat den Webhook an ${c.v(d.url)} entfernt.`,
  'webhook.secret-rotated': (_d, c) => `${c.who} hat das Signaturgeheimnis eines Webhooks erneuert.`,
  'notification.sent': (d, c) => `E-Mail an ${c.name(d.recipient)} gesendet.`,
  'notification.failed': (d, c) => `E-Mail an ${c.name(d.recipient)} konnte nicht gesendet werden.`,
};

const SAYS: Record<SentenceLocale, Says> = { en: EN, de: DE };

const UNTIL: Record<SentenceLocale, string> = { en: 'until', de: 'bis' };

function activity(d: EventDetails<'support.activity'>, c: Context): string {
  return [c.v(d.action), d.target ? `(${c.v(d.target)})` : ''].filter(Boolean).join(' ');
}

/** The people an event's details name, so an actor no longer on the contact list still reads by name. */
function peopleOf(event: DescribedEvent): { name: string; email: string }[] {
  switch (event.type) {
    case 'grant.created':
    case 'grant.extended':
    case 'grant.expiring':
    case 'grant.revoked':
    case 'grant.expired':
      return [event.details.grantedBy];
    case 'instruction.requested':
    case 'instruction.confirmed':
    case 'instruction.rejected':
    case 'instruction.lapsed':
    case 'instruction.completed': {
      const d = event.details;
      return [d.requestedBy, d.confirmedBy, d.rejectedBy].filter((p) => p !== null);
    }
    case 'contact.added':
    case 'contact.removed':
    case 'access.checked':
    case 'contact.verified':
    case 'support.activity':
    case 'notification.sent':
    case 'notification.failed':
    case 'webhook.added':
    case 'webhook.removed':
    case 'webhook.secret-rotated':
      return [];
    default:
      return event satisfies never;
  }
}

/** Text a person typed, as Slack shows it literally: on one line, its control characters escaped. */
function slackText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function say<K extends EventType>(says: Says, event: DescribedEvent<K>, context: Context): string {
  const sentence: (details: EventDetails<K>, c: Context) => string = says[event.type];
  return sentence(event.details, context);
}

/**
 * One event as one sentence: "Anna Schmidt granted support access until … (Migration)." The
 * console calls it as `describeEvent(event, language, { names, formatTime })`; Slack's text is
 * `describeEvent(event, locale, { mode: 'slack' })`.
 */
export function describeEvent(
  event: DescribedEvent,
  locale: SentenceLocale,
  options: DescribeOptions = {},
): string {
  const slack = options.mode === 'slack';
  const v = slack ? slackText : (text: string) => text;
  const people = peopleOf(event);
  const name = (email: string) => {
    const key = email.toLowerCase();
    const known = options.names?.get(key) ?? people.find((p) => p.email.toLowerCase() === key)?.name;
    return v(known ?? email);
  };
  const actor = event.actor === 'system' ? '—' : name(event.actor);
  const at = slack || !options.formatTime ? utcTime : options.formatTime;
  const context: Context = {
    who: actor,
    name,
    at,
    v,
    about: (reason, expiresAt) =>
      slack
        ? ` (${[v(reason), expiresAt && `${UNTIL[locale]} ${at(expiresAt)}`].filter(Boolean).join(', ')})`
        : '',
    kind: (kind) => INSTRUCTION_KIND_NAMES[locale][kind] ?? v(kind),
    via: (channel) => (channel === 'email-link' ? VIA_LINK[locale] : ''),
  };
  const sentence = say(SAYS[locale] ?? EN, event, context);
  return slack && event.tenantId ? `${v(event.tenantId)}: ${sentence}` : sentence;
}
