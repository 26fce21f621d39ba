import { SESClient } from '@aws-sdk/client-ses';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SesMailer } from '../../functions/adapters/mailer.ts';
import { NOTIFIED_EVENT_TYPES, type NotifiedEventType } from '../../functions/domain/audit.ts';
import { shorten } from '../../functions/domain/text.ts';
import { notificationEmail } from '../../functions/email/templates.ts';
import { sampleEvent } from '../support/event-samples.ts';

/** Any well-formed text: every code point, grapheme clusters of many parts, and plain ASCII. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 120 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }),
  fc.string({ unit: 'grapheme-composite', minLength: 1, maxLength: 80 }),
);
/** Reasons whose subject cut falls among arbitrary characters. */
const anyReason = fc.oneof(
  anyText,
  fc
    .tuple(fc.string({ unit: 'binary-ascii', minLength: 50, maxLength: 62 }), anyText)
    .map(([head, tail]) => `x${head.trim()}${tail}`),
);

/** An SES client that serializes the request exactly as for AWS, then stops before the network. */
function capturingSes() {
  const sent: { body: string }[] = [];
  const client = new SESClient({
    region: 'eu-central-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  client.middlewareStack.add(
    () => async (args) => {
      const request = args.request as { body?: unknown };
      sent.push({ body: String(request.body) });
      return { output: { MessageId: `m-${sent.length}`, $metadata: {} }, response: {} };
    },
    { step: 'finalizeRequest', name: 'captureInsteadOfSend', priority: 'low' },
  );
  return { mailer: new SesMailer(client, 'support@example.com'), sent };
}

describe('every email renders and serializes for any reason, ticket and name', () => {
  it('a reason cut inside an emoji in the subject still reaches SES (regression)', async () => {
    const { mailer, sent } = capturingSes();
    const reason = `${'a'.repeat(56)}😀 more text`;
    const email = notificationEmail(event('grant.created', reason, null), {
      contactId: 'c1',
      name: 'Anna',
      email: 'anna@example.com',
      locale: 'de',
      timeZone: 'Europe/Berlin',
    });
    expect(email.subject.isWellFormed()).toBe(true);
    expect(email.subject).toContain('😀');
    await mailer.send(email);
    expect(new URLSearchParams(sent[0]?.body).get('Message.Subject.Data')).toBe(email.subject);
  });

  it('holds for arbitrary Unicode in every template and locale', async () => {
    const { mailer, sent } = capturingSes();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...NOTIFIED_EVENT_TYPES),
        fc.constantFrom('de' as const, 'en' as const),
        anyReason,
        fc.option(anyText, { nil: null }),
        anyText,
        fc.constantFrom('Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC'),
        fc.boolean(),
        async (type, locale, reason, ticket, name, timeZone, withLinks) => {
          const email = notificationEmail(
            event(type, reason, ticket, name),
            { contactId: withLinks ? 'c1' : 'c2', name, email: 'c@example.com', locale, timeZone },
            withLinks
              ? { end: 'https://console.example/act#abc', extendDay: 'https://console.example/act#def' }
              : {},
          );
          for (const part of [email.subject, email.text, email.html]) expect(part.isWellFormed()).toBe(true);
          const before = sent.length;
          await mailer.send(email);
          const form = new URLSearchParams(sent[before]?.body);
          expect(form.get('Message.Subject.Data')).toBe(email.subject);
          expect(form.get('Message.Body.Text.Data')).toBe(email.text);
        },
      ),
      { numRuns: 300, seed: 20261129 },
    );
  });
});

describe('shorten', () => {
  it('keeps text at or under the limit as it is', () => {
    expect(shorten('abc', 3)).toBe('abc');
    expect(shorten('', 3)).toBe('');
  });

  it('never splits a grapheme cluster and never exceeds the limit', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-composite', maxLength: 100 }),
        fc.integer({ min: 1, max: 70 }),
        (text, max) => {
          const out = shorten(text, max);
          expect(out.isWellFormed()).toBe(true);
          const clusters = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(out)];
          expect(clusters.length).toBeLessThanOrEqual(max);
          if (out !== text) expect(text.startsWith(out.slice(0, -1).trimEnd())).toBe(true);
        },
      ),
      { seed: 7 },
    );
  });

  it('keeps a family emoji whole', () => {
    const family = '👨‍👩‍👧‍👦';
    expect(shorten(`ab${family}cd`, 3)).toBe('ab…');
    expect(shorten(`a${family}bcd`, 3)).toBe(`a${family}…`);
  });
});

function event(type: NotifiedEventType, reason: string, ticket: string | null, name = 'Anna Schmidt') {
  return sampleEvent(type, name, { reason, ticket });
}
