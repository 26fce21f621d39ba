import type { AuditEvent } from '../api.ts';
import { formatTime } from '../format.ts';
import type { Page } from '../page.ts';

/** An audit event as a sentence in the reader's language ("Anna Schmidt extended access until …"). */
export function describe(
  event: AuditEvent,
  names: Map<string, string>,
  { t, language }: Pick<Page, 't' | 'language'>,
): string {
  const d = event.details;
  const who = names.get(event.actor.toLowerCase()) ?? (event.actor === 'system' ? '—' : event.actor);
  const at = (iso: unknown) => (typeof iso === 'string' ? formatTime(iso, language).text : '—');
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const via = d.channel === 'email-link' ? t.says.viaLink : '';
  switch (event.type) {
    case 'contact.added':
      return t.says['contact.added'](who, text(d.name));
    case 'contact.removed':
      return t.says['contact.removed'](who, text(d.name));
    case 'grant.created':
      return t.says['grant.created'](who, at(d.expiresAt), text(d.reason));
    case 'grant.extended':
      return t.says['grant.extended'](who, at(d.expiresAt)) + via;
    case 'grant.expiring':
      return t.says['grant.expiring'](at(d.expiresAt));
    case 'grant.revoked':
      return d.endReason === 'contact-removed'
        ? t.says['grant.revokedRemoved']
        : t.says['grant.revoked'](who) + via;
    case 'grant.expired':
      return t.says['grant.expired'](at(d.expiresAt));
    case 'access.checked':
      return t.says['access.checked'](who, d.access === true);
    case 'contact.verified':
      return t.says['contact.verified'](who, d.authorized === true);
    case 'instruction.requested':
    case 'instruction.confirmed':
    case 'instruction.rejected':
    case 'instruction.lapsed':
    case 'instruction.completed':
      return t.says[event.type](who, t.kinds[text(d.kind)] ?? text(d.kind));
    case 'support.activity':
      return t.says['support.activity'](
        who,
        [text(d.action), d.target ? `(${text(d.target)})` : ''].filter(Boolean).join(' '),
      );
    case 'notification.sent':
      return t.says['notification.sent'](names.get(text(d.recipient).toLowerCase()) ?? text(d.recipient));
    case 'notification.failed':
      return t.says['notification.failed'](names.get(text(d.recipient).toLowerCase()) ?? text(d.recipient));
    default:
      return event.type;
  }
}
