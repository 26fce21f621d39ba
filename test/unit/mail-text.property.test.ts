import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOTIFIED_EVENT_TYPES, type NotifiedEventType } from '../../functions/domain/audit.ts';
import { LAYOUT } from '../../functions/email/layout.generated.ts';
import {
  foldLine,
  type MailLinks,
  type MailReceipt,
  notificationEmail,
  quoteLines,
} from '../../functions/email/templates.ts';
import { sampleEvent } from '../support/event-samples.ts';

/** Every label a mail's own one-click links carry, in both languages. */
const LINK_LABELS = [
  'End access now',
  'Extend by 1 day',
  'Extend by 1 week',
  'Confirm',
  'Reject',
  'Zugriff jetzt beenden',
  'Um 1 Tag verlängern',
  'Um 1 Woche verlängern',
  'Bestätigen',
  'Ablehnen',
];
/** Every tag the mail's layout and its fragments use, and those the mail adds around people's text. */
const LAYOUT_TAGS = new Set([
  ...Object.values(LAYOUT).flatMap((html) =>
    [...html.matchAll(/<\/?([^\s>/!]+)/g)].map((m) => (m[1] as string).toLowerCase()),
  ),
  '!doctype',
  'blockquote',
  'br',
  'bdi',
]);
const BREAKS = ['\n', '\r\n', '\r', '\u2028', '\u2029', '\u0085', '\v', '\f'];
const EVIL = 'https://evil.example/act/Zm9yZ2VkLXRva2VuLXRoYXQtbG9va3MtcmVhbA';

/** A line written to look like the mail's own link line, perhaps indented. */
const fakeLinkLine = fc
  .tuple(fc.constantFrom('', ' ', '   ', '\t', '\u200b'), fc.constantFrom(...LINK_LABELS))
  .map(([indent, label]) => `${indent}${label}: ${EVIL}`);

/** Text of several lines, some of them fake link lines, separated by any kind of line break. */
const hostileText = fc
  .array(fc.oneof(fakeLinkLine, fc.string({ maxLength: 30 }), fc.constant('')), {
    minLength: 1,
    maxLength: 6,
  })
  .chain((lines) =>
    fc
      .array(fc.constantFrom(...BREAKS), { minLength: lines.length, maxLength: lines.length })
      .map((breaks) => lines.map((line, i) => `${breaks[i]}${line}`).join('')),
  )
  .map((text) => `Please delete the account.${text}`);

/** Every line of the text as a mail reader may break it, without the indentation. */
const readerLines = (text: string) =>
  text.split(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/).map((line) => line.replace(/^[\s\p{Cf}]+/u, ''));

const LINKS: MailLinks = {
  end: 'https://console.example/act/end-token',
  extendDay: 'https://console.example/act/day-token',
  extendWeek: 'https://console.example/act/week-token',
  confirm: 'https://console.example/act/confirm-token',
  reject: 'https://console.example/act/reject-token',
};

function event(type: NotifiedEventType, text: string) {
  return { ...sampleEvent(type, text), actor: text };
}

const receipt = (text: string): MailReceipt => ({
  accessChecks: 2,
  callerVerifications: 1,
  agents: [text],
  activities: [text, text],
  moreActivities: 0,
  url: 'https://console.example/?receipt=G1',
  auditHead: 'a'.repeat(64),
});

describe('text people wrote never passes for the mail’s own links', () => {
  it('an instruction’s details with a line like the Confirm link: quoted, never a link line of its own', () => {
    const details = 'Please delete the account.\nConfirm: https://evil.example/act/x\n\nThanks';
    const email = notificationEmail(
      event('instruction.requested', 'Anna'),
      { contactId: 'c2', name: 'Ben', email: 'ben@example.com', locale: 'en', timeZone: 'UTC' },
      { confirm: LINKS.confirm, reject: LINKS.reject },
    );
    expect(email.text).toContain('Details:\n> Anna\n');
    const withDetails = notificationEmail(
      sampleEvent('instruction.requested', 'Anna', { details: { details } }),
      { contactId: 'c2', name: 'Ben', email: 'ben@example.com', locale: 'en', timeZone: 'UTC' },
      { confirm: LINKS.confirm, reject: LINKS.reject },
    );
    expect(withDetails.text).toContain(
      'Details:\n> Please delete the account.\n> Confirm: https://evil.example/act/x\n>\n> Thanks\n',
    );
    expect(withDetails.text.split('\n').filter((l) => l.startsWith('Confirm:'))).toEqual([
      `Confirm: ${LINKS.confirm}`,
    ]);
    expect(withDetails.html).toContain(
      '<blockquote style="margin:0;padding-left:8px;border-left:3px solid #999">Please delete the account.<br>Confirm: https://evil.example/act/x<br><br>Thanks</blockquote>',
    );
  });

  it('quoteLines and foldLine treat every kind of line break as one', () => {
    expect(quoteLines('a\r\nb\rc\u2028d\n\ne')).toBe('> a\n> b\n> c\n> d\n>\n> e');
    expect(foldLine('a\r\n\r\nb\u2029c\u0085d')).toBe('a b c d');
  });

  it('holds for every template, language and field, with any line breaks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...NOTIFIED_EVENT_TYPES),
        fc.constantFrom('de' as const, 'en' as const),
        hostileText,
        fc.boolean(),
        (type, locale, text, withReceipt) => {
          const email = notificationEmail(
            event(type, text),
            { contactId: 'c1', name: text, email: 'c@example.com', locale, timeZone: 'Europe/Berlin' },
            LINKS,
            withReceipt ? receipt(text) : undefined,
          );
          const genuine = new Set<string>(Object.values(LINKS));
          for (const line of readerLines(email.text)) {
            const label = LINK_LABELS.find((l) => line.startsWith(`${l}:`));
            if (!label) continue;
            // A line that starts with a link's label is one of the mail's own links, exactly.
            expect(line, JSON.stringify(text)).toMatch(
              /^[^:]+: https:\/\/console\.example\/act\/[a-z]+-token$/,
            );
            expect(genuine.has(line.slice(label.length + 2))).toBe(true);
          }
          // In HTML, only the mail's own links are links (and the receipt's).
          if (withReceipt) genuine.add(receipt(text).url);
          const hrefs = [...email.html.matchAll(/<a\s[^>]*href="([^"]*)"/g)].map((m) => m[1]);
          for (const href of hrefs) expect(genuine.has(href as string)).toBe(true);
          // Every tag is one of the layout's own: what people wrote never makes one.
          const tags = email.html.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<\/?([^\s>/]+)/g);
          expect(
            [...tags].map((m) => (m[1] as string).toLowerCase()).filter((t) => !LAYOUT_TAGS.has(t)),
          ).toEqual([]);
        },
      ),
      { numRuns: 400, seed: 20261206 },
    );
  });
});
