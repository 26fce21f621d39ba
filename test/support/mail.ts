import { until } from './until.ts';

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text: string; html: string };
  at: number;
}

/** Emails the SES emulator accepted, optionally only those to one address. */
export async function emails(sesUrl: string, to?: string): Promise<StoredEmail[]> {
  const store = (await (await fetch(`${sesUrl}/store`)).json()) as { emails: StoredEmail[] };
  return store.emails.filter(
    (e) => !to || e.destination.to.some((t) => t.toLowerCase() === to.toLowerCase()),
  );
}

/** Subjects of the mails about contacts being added or removed (de and en). */
const CONTACT_MAIL =
  /^(You are now a support contact|New support contact|You are no longer a support contact|Support contact removed|Sie sind jetzt Supportkontakt|Neuer Supportkontakt|Sie sind kein Supportkontakt mehr|Supportkontakt entfernt): /;

/** The emails about grants only (not those about contacts being added or removed). */
export async function grantEmails(sesUrl: string, to?: string): Promise<StoredEmail[]> {
  return (await emails(sesUrl, to)).filter((e) => !CONTACT_MAIL.test(e.subject));
}

/** `notification.sent` audit events of emails about grants. */
export function grantMailsSent<E extends { type: string; details: { eventType?: unknown } }>(
  events: E[],
): E[] {
  return events.filter(
    (e) => e.type === 'notification.sent' && String(e.details.eventType).startsWith('grant.'),
  );
}

/**
 * The one-click link labelled `label` ("End access now") in the email to `to` whose subject
 * starts with `subject`, waiting until that email has arrived; its token is the link's fragment.
 */
export async function mailedLink(sesUrl: string, to: string, subject: string, label: string) {
  const mail = await until(
    () => emails(sesUrl, to),
    (list) => list.some((m) => m.subject.startsWith(subject)),
    // Behind a busy outbox (the whole e2e suite mails at once) an email can take a while.
    60_000,
    `an email "${subject}" to ${to}`,
  );
  const text = mail.find((m) => m.subject.startsWith(subject))?.body.text ?? '';
  const line = text.split('\n').find((l) => l.startsWith(`${label}: `));
  const url = line?.slice(label.length + 2) ?? '';
  const token = /\/act#([A-Za-z0-9_-]+)$/.exec(url)?.[1];
  if (!token) throw new Error(`no "${label}" link in the email "${subject}" to ${to}`);
  return { url, token };
}
