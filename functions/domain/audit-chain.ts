import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { chainedView } from './audit.ts';

/**
 * The tamper-evident audit log: each tenant's events form one hash chain, oldest first.
 * `hash = SHA-256(hex)` over the UTF-8 of the previous event's hash (64 zeros before the first)
 * followed by the event's canonical JSON (RFC 8785) — the event as the API shows it, without its
 * own `hash`. A customer who keeps one hash (a "head") can later prove that nothing up to it was
 * changed, dropped, reordered or inserted: not even by someone who can write the table and
 * recompute every hash, because that rewritten chain no longer contains the head they kept.
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

/**
 * Verifies an export (one event per line, oldest first, each with its `hash`). With `keptHead`,
 * the chain must also contain that hash: a head kept from an earlier export or email proves
 * everything up to it is unchanged.
 */
export function verifyChain(lines: readonly string[], keptHead?: string): VerifyResult {
  let previous = GENESIS_HASH;
  let seenKept = keptHead === undefined;
  let count = 0;
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    if (raw.trim() === '') continue;
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(raw);
    } catch {
      return { ok: false, line, reason: 'not a JSON object' };
    }
    if (!event || typeof event !== 'object' || Array.isArray(event))
      return { ok: false, line, reason: 'not a JSON object' };
    const { hash, ...rest } = event;
    if (typeof hash !== 'string') return { ok: false, line, reason: 'no hash' };
    // Every field of the line but its hash is covered: nothing can be added to a line either.
    const expected = sha256(previous, canonicalJson(rest));
    if (expected !== event.hash)
      return { ok: false, line, reason: `hash does not match (expected ${expected}, found ${hash})` };
    previous = hash;
    count++;
    if (hash === keptHead) seenKept = true;
  }
  if (!seenKept) return { ok: false, line: 0, reason: `the kept head ${keptHead} is not in this chain` };
  return { ok: true, events: count, head: previous };
}
