import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { ValidationError } from './errors.ts';
import { assertSingleLine, charLength } from './text.ts';

export const LOCALES = ['de', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export interface Contact {
  contactId: string;
  tenantId: string;
  name: string;
  email: string;
  phone: string;
  locale: Locale;
  /** IANA time zone in which emails show times to this contact. */
  timeZone: string;
  canGrantAccess: boolean;
  canInstruct: boolean;
  createdAt: string;
}

export const NAME_MAX = 200;
/** Contacts a tenant may have: every change mails each of them, and each may act for it. */
export const CONTACTS_MAX = 50;
export const DEFAULT_TIME_ZONE = 'Europe/Berlin';
/** An IANA zone name (Area/Location, or UTC); offsets such as "+01:00" are not zones. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/**
 * An IANA time zone the runtime knows, or a 400 naming the field. Offsets ("+01:00") are not
 * zones. The runtime's spelling is kept where it only differs in case ("europe/berlin").
 */
export function normaliseTimeZone(timeZone: string, path = 'timeZone'): string {
  const name = timeZone.trim();
  let resolved: string | undefined;
  try {
    if (ZONE_NAME.test(name))
      resolved = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    resolved = undefined;
  }
  if (!resolved) {
    throw ValidationError.field(
      path,
      'timeZone must be an IANA time zone such as Europe/Berlin or America/New_York.',
    );
  }
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}
/** National numbers without a country code are read as German ones. */
export const DEFAULT_PHONE_REGION = 'DE';

/** E.164 form of a phone number, or null when it is not a valid number. */
export function toE164(phone: string): string | null {
  const parsed = parsePhoneNumberFromString(phone.trim(), DEFAULT_PHONE_REGION);
  if (!parsed?.isValid()) return null;
  return parsed.number;
}

export function normalisePhone(phone: string, path = 'phone'): string {
  const e164 = toE164(phone);
  if (!e164) {
    throw ValidationError.field(
      path,
      'phone must be a valid phone number, e.g. +49 30 1234567 or 030 1234567.',
    );
  }
  return e164;
}

/** Emails compare case-insensitively; this is the form used for lookups. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

export function normaliseName(name: string): string {
  const trimmed = name.trim();
  assertSingleLine(trimmed, 'name');
  if (charLength(trimmed) < 1 || charLength(trimmed) > NAME_MAX) {
    throw ValidationError.field('name', `name must be 1–${NAME_MAX} characters (after trimming).`);
  }
  return trimmed;
}

/** What support agents learn about a verified caller. */
export function contactSummary(contact: Contact): {
  name: string;
  canGrantAccess: boolean;
  canInstruct: boolean;
} {
  return { name: contact.name, canGrantAccess: contact.canGrantAccess, canInstruct: contact.canInstruct };
}

export function contactWarnings(contacts: Contact[], locale: Locale = 'en'): string[] {
  const granting = contacts.filter((c) => c.canGrantAccess).length;
  if (granting >= 2) return [];
  const message =
    locale === 'de'
      ? `Nur ${granting} Kontakt(e) dürfen Supportzugriff gewähren; registrieren Sie mindestens zwei.`
      : `Only ${granting} contact(s) can grant support access; register at least two so that one absent person cannot lock you out.`;
  return [message];
}

/** Who a caller says they are: a phone number or an email address, never both. */
export type CallerIdentity = { phone: string; email?: undefined } | { email: string; phone?: undefined };
