import { ValidationError } from './errors.ts';

/** Length in characters as a person counts them (code points), not UTF-16 units. */
export function charLength(text: string): number {
  return [...text].length;
}

// Made on first use: an Intl.Segmenter loads its ICU data, a few milliseconds of every cold start.
let graphemes: Intl.Segmenter | undefined;

/**
 * Shortens text to at most `max` characters as a reader sees them (grapheme clusters), ending
 * in "…" when it was cut. Never splits a surrogate pair, an emoji sequence or a letter from its
 * accents: a cut in the middle of one would leave text that mail servers and JSON encoders
 * refuse.
 */
export function shorten(text: string, max: number): string {
  const clusters: string[] = [];
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { segment } of graphemes.segment(text)) {
    clusters.push(segment);
    if (clusters.length > max) break;
  }
  if (clusters.length <= max) return text;
  return `${clusters
    .slice(0, Math.max(0, max - 1))
    .join('')
    .trimEnd()}…`;
}

/**
 * Characters no single-line field may hold: C0 and C1 controls (line breaks and tabs among
 * them), DEL, the line and paragraph separators, and the bidirectional embeddings, overrides
 * and isolates that make text read differently from what it is (U+202E turns "exe.txt" into
 * "txt.exe").
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const NOT_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** Whether the text holds a control or text-direction character (any, line breaks included). */
export function containsControlOrBidi(text: string): boolean {
  return NOT_SINGLE_LINE.test(text);
}

/** Rejects control and bidi-override characters in a single-line field, naming the field. */
export function assertSingleLine(text: string, path: string): void {
  const found = NOT_SINGLE_LINE.exec(text);
  if (!found) return;
  const code = found[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0');
  throw ValidationError.field(
    path,
    `${path} must be a single line of text without control or text-direction characters (found U+${code}).`,
  );
}
