import { describe, expect, it } from 'vitest';
import { normaliseName } from '../../functions/domain/contact.ts';
import { ValidationError } from '../../functions/domain/errors.ts';
import { normaliseGrantText } from '../../functions/domain/grant.ts';

const HOSTILE = {
  NUL: '\u0000',
  bell: '\u0007',
  'line feed inside': '\n',
  'carriage return inside': '\r',
  tab: '\t',
  'escape (terminal colours)': '\u001b[31m',
  DEL: '\u007f',
  'C1 next-line': '\u0085',
  'C1 CSI': '\u009b',
  'line separator': '\u2028',
  'paragraph separator': '\u2029',
  'right-to-left override': '\u202e',
  'left-to-right embedding': '\u202a',
  'first-strong isolate': '\u2068',
};

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.errors[0]?.path;
    throw error;
  }
  return undefined;
}

describe('single-line fields refuse control and text-direction characters', () => {
  for (const [label, char] of Object.entries(HOSTILE)) {
    it(`${label} in reason, ticket and name → 400 naming the field`, () => {
      const text = `invoice${char}exe.txt`;
      expect(fieldOf(() => normaliseGrantText({ reason: text }))).toBe('reason');
      expect(fieldOf(() => normaliseGrantText({ reason: 'ok', ticket: text }))).toBe('ticket');
      expect(fieldOf(() => normaliseName(text))).toBe('name');
    });
  }

  it('accepts ordinary text in any script, emoji and marks included', () => {
    for (const text of ['Zugriff für Müller 😀', 'שלום עולם', 'नमस्ते', 'a\u200fb', '👨‍👩‍👧‍👦 family']) {
      expect(normaliseGrantText({ reason: text, ticket: text })).toEqual({ reason: text, ticket: text });
      expect(normaliseName(text)).toBe(text);
    }
  });

  it('still trims surrounding white space, line breaks included', () => {
    expect(normaliseGrantText({ reason: '\n  Export fails \t' }).reason).toBe('Export fails');
  });
});
