import type { Locale } from './contact.ts';
import type { Delivery } from './webhook-store.ts';

/**
 * The one sentence a Slack webhook posts per event, in the webhook's language, worded as the
 * console's audit log words it, naming the tenant, the people, the grant's reason and deadline
 * (in UTC: a channel has no one time zone). Never a link: Slack unfurls and previews links.
 */

type Details = Record<string, unknown>;
type Sentence = (who: string, d: Details, tenant: string) => string;

const text = (v: unknown) => (typeof v === 'string' ? v : '');
const utc = (iso: unknown) =>
  typeof iso === 'string' && !Number.isNaN(Date.parse(iso))
    ? `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`
    : '—';
const grantor = (d: Details) => text((d.grantedBy as Details | undefined)?.name);

const KINDS: Record<Locale, Record<string, string>> = {
  en: { 'account-deletion': 'delete the account', 'data-export': 'export the data', other: 'other' },
  de: { 'account-deletion': 'Konto löschen', 'data-export': 'Daten exportieren', other: 'Sonstiges' },
};
const kind = (locale: Locale, d: Details) => KINDS[locale][text(d.kind)] ?? text(d.kind);

const SENTENCES: Record<Locale, Record<string, Sentence>> = {
  en: {
    'contact.added': (who, d, t) => `${t}: ${who} added ${text(d.name)} as a support contact.`,
    'contact.removed': (who, d, t) => `${t}: ${who} removed ${text(d.name)} as a support contact.`,
    'grant.created': (who, d, t) =>
      `${t}: ${who} granted support access until ${utc(d.expiresAt)} (${text(d.reason)}).`,
    'grant.extended': (who, d, t) =>
      `${t}: ${who} changed the end of support access to ${utc(d.expiresAt)} (${text(d.reason)}).`,
    'grant.expiring': (_who, d, t) =>
      `${t}: support access granted by ${grantor(d)} (${text(d.reason)}) ends at ${utc(d.expiresAt)}.`,
    'grant.revoked': (who, d, t) =>
      d.endReason === 'contact-removed'
        ? `${t}: support access (${text(d.reason)}) ended at ${utc(d.endedAt)} because ${grantor(d)}, who granted it, was removed.`
        : `${t}: ${who} ended support access (${text(d.reason)}) at ${utc(d.endedAt)}.`,
    'grant.expired': (_who, d, t) =>
      `${t}: support access (${text(d.reason)}) ended by itself at its deadline, ${utc(d.expiresAt)}.`,
    'access.checked': (who, d, t) =>
      `${t}: ${who} checked whether support may access the account: ${d.access === true ? 'yes' : 'no'}.`,
    'contact.verified': (who, d, t) =>
      `${t}: ${who} verified a caller: ${d.authorized === true ? 'a registered contact' : 'not a registered contact'}.`,
    'support.activity': (who, d, t) =>
      `${t}: ${who} reported: ${[text(d.action), d.target ? `(${text(d.target)})` : ''].filter(Boolean).join(' ')}.`,
    'instruction.requested': (who, d, t) => `${t}: ${who} gave an instruction: ${kind('en', d)}.`,
    'instruction.confirmed': (who, d, t) => `${t}: ${who} confirmed the instruction: ${kind('en', d)}.`,
    'instruction.rejected': (who, d, t) => `${t}: ${who} rejected the instruction: ${kind('en', d)}.`,
    'instruction.lapsed': (_who, d, t) => `${t}: the instruction lapsed unconfirmed: ${kind('en', d)}.`,
    'instruction.completed': (who, d, t) => `${t}: ${who} carried out the instruction: ${kind('en', d)}.`,
    'webhook.added': (who, _d, t) => `${t}: ${who} added a webhook.`,
    'webhook.removed': (who, _d, t) => `${t}: ${who} removed a webhook.`,
    'webhook.secret-rotated': (who, _d, t) => `${t}: ${who} rotated a webhook's signing secret.`,
    'webhook.test': (_who, _d, t) => `${t}: a test message from support access. This webhook works.`,
  },
  de: {
    'contact.added': (who, d, t) => `${t}: ${who} hat ${text(d.name)} als Supportkontakt eingetragen.`,
    'contact.removed': (who, d, t) => `${t}: ${who} hat ${text(d.name)} als Supportkontakt entfernt.`,
    'grant.created': (who, d, t) =>
      `${t}: ${who} hat Supportzugriff bis ${utc(d.expiresAt)} gewährt (${text(d.reason)}).`,
    'grant.extended': (who, d, t) =>
      `${t}: ${who} hat das Ende des Supportzugriffs auf ${utc(d.expiresAt)} geändert (${text(d.reason)}).`,
    'grant.expiring': (_who, d, t) =>
      `${t}: der von ${grantor(d)} gewährte Supportzugriff (${text(d.reason)}) endet am ${utc(d.expiresAt)}.`,
    'grant.revoked': (who, d, t) =>
      d.endReason === 'contact-removed'
        ? `${t}: der Supportzugriff (${text(d.reason)}) endete am ${utc(d.endedAt)}, weil ${grantor(d)}, der ihn gewährte, entfernt wurde.`
        : `${t}: ${who} hat den Supportzugriff (${text(d.reason)}) am ${utc(d.endedAt)} beendet.`,
    'grant.expired': (_who, d, t) =>
      `${t}: der Supportzugriff (${text(d.reason)}) endete von selbst mit seiner Frist, ${utc(d.expiresAt)}.`,
    'access.checked': (who, d, t) =>
      `${t}: ${who} hat geprüft, ob der Support auf das Konto zugreifen darf: ${d.access === true ? 'ja' : 'nein'}.`,
    'contact.verified': (who, d, t) =>
      `${t}: ${who} hat einen Anrufer geprüft: ${d.authorized === true ? 'registrierter Kontakt' : 'kein registrierter Kontakt'}.`,
    'support.activity': (who, d, t) =>
      `${t}: ${who} meldet: ${[text(d.action), d.target ? `(${text(d.target)})` : ''].filter(Boolean).join(' ')}.`,
    'instruction.requested': (who, d, t) => `${t}: ${who} hat eine Weisung erteilt: ${kind('de', d)}.`,
    'instruction.confirmed': (who, d, t) => `${t}: ${who} hat die Weisung bestätigt: ${kind('de', d)}.`,
    'instruction.rejected': (who, d, t) => `${t}: ${who} hat die Weisung abgelehnt: ${kind('de', d)}.`,
    'instruction.lapsed': (_who, d, t) => `${t}: die Weisung ist unbestätigt verfallen: ${kind('de', d)}.`,
    'instruction.completed': (who, d, t) => `${t}: ${who} hat die Weisung ausgeführt: ${kind('de', d)}.`,
    'webhook.added': (who, _d, t) => `${t}: ${who} hat einen Webhook hinzugefügt.`,
    'webhook.removed': (who, _d, t) => `${t}: ${who} hat einen Webhook entfernt.`,
    'webhook.secret-rotated': (who, _d, t) =>
      `${t}: ${who} hat das Signaturgeheimnis eines Webhooks erneuert.`,
    'webhook.test': (_who, _d, t) =>
      `${t}: eine Testnachricht von Supportzugriff. Dieser Webhook funktioniert.`,
  },
};

/** Slack reads `<`, `>` and `&` as markup (links, mentions): sent as entities, no one can inject a link. */
const escapeSlack = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackText(delivery: Pick<Delivery, 'type' | 'data' | 'tenantId'>, locale: Locale): string {
  const data = delivery.data;
  const details = (data.details as Details | undefined) ?? {};
  const actor = text(data.actor);
  const who = actor === 'system' || actor === '' ? (locale === 'de' ? 'Das System' : 'The system') : actor;
  const sentence = SENTENCES[locale][delivery.type];
  return escapeSlack(
    sentence ? sentence(who, details, delivery.tenantId) : `${delivery.tenantId}: ${delivery.type}`,
  );
}
