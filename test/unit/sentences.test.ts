import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { type EventData, eventData, type PublicEvent, publicEvent } from '../../functions/domain/audit.ts';
import type { EventType } from '../../functions/domain/event-types.ts';
import { EVENT_TYPES } from '../../functions/domain/event-types.ts';
import { describeEvent, type SentenceLocale } from '../../functions/domain/sentences.ts';
import { sampleEvent } from '../support/event-samples.ts';

const names = new Map([
  ['anna@example.com', 'Anna Schmidt'],
  ['ben@example.com', 'Ben Miller'],
]);
const formatTime = (iso: string) => `«${iso}»`;

/** Every type's sentence, as the console's audit log shows it (actor Anna, reason and names "Migration"). */
const CONSOLE: Record<SentenceLocale, Record<EventType, string>> = {
  en: {
    'contact.added': 'Anna Schmidt added Migration as a support contact.',
    'contact.removed': 'Anna Schmidt removed Migration as a support contact.',
    'grant.created': 'Anna Schmidt granted support access until «2026-12-01T10:00:00.000Z» (Migration).',
    'grant.extended': 'Anna Schmidt changed the end of support access to «2026-12-01T10:00:00.000Z».',
    'grant.expiring': 'Every contact was reminded that support access ends at «2026-12-01T10:00:00.000Z».',
    'grant.revoked': 'Anna Schmidt ended support access.',
    'grant.expired': 'Support access ended by itself at its deadline, «2026-12-01T10:00:00.000Z».',
    'access.checked': 'Anna Schmidt checked whether support may access the account: yes.',
    'contact.verified': 'Anna Schmidt verified a caller: a registered contact.',
    'support.activity': 'Anna Schmidt reported: Migration (Migration).',
    'instruction.requested': 'Anna Schmidt gave an instruction: Account deletion.',
    'instruction.confirmed': 'Anna Schmidt confirmed the instruction: Account deletion.',
    'instruction.rejected': 'Anna Schmidt rejected the instruction: Account deletion.',
    'instruction.lapsed': 'The instruction lapsed unconfirmed: Account deletion.',
    'instruction.completed': 'Anna Schmidt carried out the instruction: Account deletion.',
    'webhook.added': 'Anna Schmidt added a webhook to https://hooks.example.com/in.',
    'webhook.removed': 'Anna Schmidt removed the webhook to https://hooks.example.com/in.',
    'webhook.secret-rotated': "Anna Schmidt rotated a webhook's signing secret.",
    'notification.sent': 'Email sent to Ben Miller.',
    'notification.failed': 'Email to Ben Miller could not be sent.',
  },
  de: {
    'contact.added': 'Anna Schmidt hat Migration als Supportkontakt eingetragen.',
    'contact.removed': 'Anna Schmidt hat Migration als Supportkontakt entfernt.',
    'grant.created': 'Anna Schmidt hat Supportzugriff bis «2026-12-01T10:00:00.000Z» gewährt (Migration).',
    'grant.extended':
      'Anna Schmidt hat das Ende des Supportzugriffs auf «2026-12-01T10:00:00.000Z» geändert.',
    'grant.expiring':
      'Alle Kontakte wurden erinnert, dass der Supportzugriff am «2026-12-01T10:00:00.000Z» endet.',
    'grant.revoked': 'Anna Schmidt hat den Supportzugriff beendet.',
    'grant.expired': 'Der Supportzugriff endete von selbst mit seiner Frist, «2026-12-01T10:00:00.000Z».',
    'access.checked': 'Anna Schmidt hat geprüft, ob der Support auf das Konto zugreifen darf: ja.',
    'contact.verified': 'Anna Schmidt hat einen Anrufer geprüft: registrierter Kontakt.',
    'support.activity': 'Anna Schmidt meldet: Migration (Migration).',
    'instruction.requested': 'Anna Schmidt hat eine Weisung erteilt: Kontolöschung.',
    'instruction.confirmed': 'Anna Schmidt hat die Weisung bestätigt: Kontolöschung.',
    'instruction.rejected': 'Anna Schmidt hat die Weisung abgelehnt: Kontolöschung.',
    'instruction.lapsed': 'Die Weisung ist unbestätigt verfallen: Kontolöschung.',
    'instruction.completed': 'Anna Schmidt hat die Weisung ausgeführt: Kontolöschung.',
    'webhook.added': 'Anna Schmidt hat einen Webhook an https://hooks.example.com/in eingerichtet.',
    'webhook.removed': 'Anna Schmidt hat den Webhook an https://hooks.example.com/in entfernt.',
    'webhook.secret-rotated': 'Anna Schmidt hat das Signaturgeheimnis eines Webhooks erneuert.',
    'notification.sent': 'E-Mail an Ben Miller gesendet.',
    'notification.failed': 'E-Mail an Ben Miller konnte nicht gesendet werden.',
  },
};

const event = (type: EventType) => ({ ...sampleEvent(type, 'Migration'), actor: 'Anna@Example.com' });

describe('describeEvent: one sentence per event', () => {
  for (const locale of ['en', 'de'] as const)
    it(`says every event type in ${locale} as the console does`, () => {
      for (const type of EVENT_TYPES)
        expect(describeEvent(event(type), locale, { names, formatTime }), type).toBe(CONSOLE[locale][type]);
    });

  it('says a change made through an email’s link, and an end by the removal of the granting contact', () => {
    const viaLink = sampleEvent('grant.extended', 'x', { details: { channel: 'email-link' } });
    expect(describeEvent({ ...viaLink, actor: 'ben@example.com' }, 'en', { names, formatTime })).toBe(
      'Ben Miller changed the end of support access to «2026-12-01T10:00:00.000Z». (by the link in an email)',
    );
    expect(
      describeEvent(sampleEvent('grant.revoked', 'x', { details: { channel: 'email-link' } }), 'de'),
    ).toBe('x@example.com hat den Supportzugriff beendet. (über den Link in einer E-Mail)');
    const removed = sampleEvent('grant.revoked', 'x', { details: { endReason: 'contact-removed' } });
    expect(describeEvent({ ...removed, actor: 'system' }, 'en')).toBe(
      'Support access ended because the contact who granted it was removed.',
    );
    expect(describeEvent({ ...removed, actor: 'system' }, 'de')).toBe(
      'Der Supportzugriff endete, weil der gewährende Kontakt entfernt wurde.',
    );
  });

  it('names people from the lookup, else from the event’s own details, else by their email; the system as —', () => {
    const created = sampleEvent('grant.created', 'Jörg');
    // The granting contact is no longer on the list: the grant itself names them.
    expect(describeEvent({ ...created, actor: 'ANNA@example.com' }, 'en', { names: new Map() })).toMatch(
      /^Jörg granted/,
    );
    expect(describeEvent(sampleEvent('access.checked', 'x'), 'en')).toMatch(/^x@example\.com checked/);
    expect(describeEvent({ ...sampleEvent('access.checked'), actor: 'system' }, 'en')).toMatch(/^— checked/);
    expect(describeEvent(sampleEvent('support.activity', 'x', { details: { target: null } }), 'en')).toBe(
      'x@example.com reported: x.',
    );
  });

  it('reads times in UTC unless told otherwise', () => {
    expect(describeEvent(sampleEvent('grant.expired'), 'en')).toBe(
      'Support access ended by itself at its deadline, 2026-12-01 10:00 UTC.',
    );
  });
});

describe('describeEvent for Slack', () => {
  const slack = { mode: 'slack' as const, names, formatTime };

  it('names the tenant, the people, the grant’s reason and the deadline in UTC, whatever time format is given', () => {
    const tenant = (type: EventType) => ({ ...event(type), tenantId: 'acme' });
    expect(describeEvent(tenant('grant.created'), 'en', slack)).toBe(
      'acme: Anna Schmidt granted support access until 2026-12-01 10:00 UTC (Migration).',
    );
    expect(describeEvent(tenant('grant.extended'), 'en', slack)).toBe(
      'acme: Anna Schmidt changed the end of support access to 2026-12-01 10:00 UTC (Migration).',
    );
    expect(describeEvent(tenant('grant.expiring'), 'de', slack)).toBe(
      'acme: Alle Kontakte wurden erinnert, dass der Supportzugriff (Migration) am 2026-12-01 10:00 UTC endet.',
    );
    expect(describeEvent(tenant('grant.revoked'), 'en', slack)).toBe(
      'acme: Anna Schmidt ended support access (Migration, until 2026-12-01 10:00 UTC).',
    );
    expect(describeEvent(tenant('grant.revoked'), 'de', slack)).toBe(
      'acme: Anna Schmidt hat den Supportzugriff (Migration, bis 2026-12-01 10:00 UTC) beendet.',
    );
    expect(describeEvent(tenant('grant.expired'), 'de', slack)).toBe(
      'acme: Der Supportzugriff (Migration) endete von selbst mit seiner Frist, 2026-12-01 10:00 UTC.',
    );
    expect(describeEvent(tenant('contact.added'), 'en', slack)).toBe(
      'acme: Anna Schmidt added Migration as a support contact.',
    );
  });

  it('every type in both languages is one line that starts with the tenant', () => {
    for (const locale of ['en', 'de'] as const)
      for (const type of EVENT_TYPES) {
        const text = describeEvent({ ...event(type), tenantId: 'acme' }, locale, slack);
        expect(text, type).toMatch(/^acme: \S.*\.\)?$/);
        expect(text, type).not.toMatch(/\n/);
      }
  });

  it('what people typed cannot mention anyone or make a link: Slack’s control characters are escaped, lines folded', () => {
    const hostile = '<!channel> <https://evil.example|click> & co\nnext line';
    const text = describeEvent(
      { ...sampleEvent('grant.created', 'x', { reason: hostile }), tenantId: 'acme', actor: '<@U123>' },
      'en',
      { mode: 'slack' },
    );
    expect(text).toBe(
      'acme: &lt;@U123&gt; granted support access until 2026-12-01 10:00 UTC ' +
        '(&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co next line).',
    );
    // The console shows text as text: nothing to escape there.
    expect(describeEvent(sampleEvent('support.activity', '<b>'), 'en')).toBe(
      '<b>@example.com reported: <b> (<b>).',
    );
  });
});

describe('the sentences module', () => {
  it('takes an event as the domain, the audit log’s API and a delivery carry it', () => {
    const event = sampleEvent('grant.created', 'Ada');
    const logged: PublicEvent = publicEvent(event);
    const delivered: EventData = eventData(event);
    for (const e of [event, logged, delivered])
      expect(describeEvent(e, 'en')).toBe(
        'Ada@example.com granted support access until 2026-12-01 10:00 UTC (Ada).',
      );
  });

  it('bundles for the browser on its own: no zod, no Node', async () => {
    const built = await build({
      entryPoints: [fileURLToPath(new URL('../../functions/domain/sentences.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(Object.keys(built.metafile.inputs)).toEqual(['functions/domain/sentences.ts']);
  });
});
