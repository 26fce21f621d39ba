import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { decodeTime } from 'ulid';
import { chainedView } from './audit.ts';
import { ID_PATTERN } from './ids.ts';
import { findDuplicateKey, numberNotAsCanonical, parseStrictJson } from './json-text.ts';

/**
 * The tamper-evident audit log: each tenant's events form one hash chain, oldest first.
 * `hash = SHA-256(hex)` over the UTF-8 of the previous event's hash (64 zeros before the first)
 * followed by the event's canonical JSON (RFC 8785) — the event as the API shows it, without its
 * own `hash`. A customer who keeps one hash (a "head") can later prove that nothing up to it was
 * changed, dropped, reordered or inserted: not even by someone who can write the table and
 * recompute every hash, because that rewritten chain no longer contains the head they kept.
 *
 * Events after a kept head are new to the customer, and the verifier also holds them to what
 * every real event is: its `eventId` (a ULID) is strictly greater than the previous line's (the
 * log's order; no event twice), and its `at` lies within a minute of the time in that id (an
 * event cannot be back-dated behind the ids around it). A line is one RFC 8785 value: JSON that
 * repeats a key (read differently by different parsers), a number it cannot represent (1e999)
 * or text that is not Unicode fails that line.
 */
export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('The value has no JSON form.');
  return text;
}

function sha256(previousHash: string, json: string): string {
  return createHash('sha256').update(previousHash, 'utf8').update(json, 'utf8').digest('hex');
}

/** The hash of a stored event, chained after `previousHash`. */
export function chainHash(
  previousHash: string,
  event: Parameters<typeof chainedView>[0] & { hash?: unknown },
): string {
  return sha256(previousHash, canonicalJson(chainedView(event)));
}

export type VerifyResult =
  | { ok: true; events: number; head: string }
  | { ok: false; line: number; reason: string };

/** How far an event's `at` may lie from the time in its id. */
export const ID_TIME_TOLERANCE_MS = 60_000;

/** The line's event, or why it is not one JSON object that RFC 8785 can represent. */
function notCanonicalObject(raw: string): { reason: string } | { event: Record<string, unknown> } {
  const parsed = parseStrictJson(raw);
  if (!parsed.ok) {
    if (parsed.problem === 'duplicate-key')
      return { reason: `it repeats the key ${JSON.stringify(findDuplicateKey(raw))}` };
    if (parsed.problem === 'ill-formed-string') return { reason: 'it holds text that is not valid Unicode' };
    return { reason: 'not a JSON object' };
  }
  const event = parsed.value;
  if (!event || typeof event !== 'object' || Array.isArray(event)) return { reason: 'not a JSON object' };
  const pending: unknown[] = [event];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'number' && !Number.isFinite(value))
      return { reason: 'it holds a number RFC 8785 cannot represent' };
    if (value && typeof value === 'object') pending.push(...Object.values(value));
  }
  const number = numberNotAsCanonical(raw);
  if (number !== null)
    return { reason: `it writes the number ${number} other than RFC 8785 does (${String(Number(number))})` };
  return { event: event as Record<string, unknown> };
}

/** The time in an event id, or null when the id holds no time a ULID can. */
function idTime(eventId: string): number | null {
  try {
    return decodeTime(eventId);
  } catch {
    return null;
  }
}

/** Why an event's id and time do not follow the previous line's, or null. */
function outOfOrder(event: Record<string, unknown>, previousId: string | null): string | null {
  const { eventId, at } = event;
  if (typeof eventId !== 'string' || !ID_PATTERN.test(eventId)) return 'its eventId is not an event id';
  if (previousId !== null && eventId <= previousId)
    return `its eventId ${eventId} is not after the previous line's ${previousId}`;
  const made = idTime(eventId);
  if (made === null) return 'its eventId holds no time';
  const time = typeof at === 'string' ? Date.parse(at) : Number.NaN;
  if (!(Math.abs(time - made) <= ID_TIME_TOLERANCE_MS))
    return `its time ${String(at)} lies more than ${ID_TIME_TOLERANCE_MS / 1000} s from its eventId's ${new Date(made).toISOString()}`;
  return null;
}

/**
 * Verifies an export (one event per line, oldest first, each with its `hash`). With `keptHead`,
 * the chain must also contain that hash: a head kept from an earlier export or email proves
 * everything up to it is unchanged.
 */
export function verifyChain(lines: readonly string[], keptHead?: string): VerifyResult {
  let previous = GENESIS_HASH;
  let previousId: string | null = null;
  let seenKept = keptHead === undefined;
  let count = 0;
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    // The export ends with a line break; a line of only other white space is no event.
    if (raw === '' || raw === '\r') continue;
    const read = notCanonicalObject(raw);
    if ('reason' in read) return { ok: false, line, reason: read.reason };
    const { hash, ...rest } = read.event;
    if (typeof hash !== 'string') return { ok: false, line, reason: 'no hash' };
    // Every field of the line but its hash is covered: nothing can be added to a line either.
    const expected = sha256(previous, canonicalJson(rest));
    if (expected !== hash)
      return { ok: false, line, reason: `hash does not match (expected ${expected}, found ${hash})` };
    const order = outOfOrder(rest, previousId);
    if (order) return { ok: false, line, reason: order };
    previous = hash;
    previousId = rest.eventId as string;
    count++;
    if (hash === keptHead) seenKept = true;
  }
  if (!seenKept) return { ok: false, line: 0, reason: `the kept head ${keptHead} is not in this chain` };
  return { ok: true, events: count, head: previous };
}
