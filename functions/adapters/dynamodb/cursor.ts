import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../../domain/errors.ts';

/**
 * Cursors are DynamoDB's LastEvaluatedKey, signed: `<key as base64url JSON>.<HMAC-SHA256, 128
 * bits>`. The signature covers the list the cursor was issued for (its partition and prefixes),
 * so a cursor only works for the list and tenant it came from, and a cursor the server did not
 * issue — forged, edited, from another list — is `validation-failed`, never a database error.
 * The key is checked again after the signature (defence in depth should the secret leak).
 */
export interface CursorScope {
  /** Attribute → exact value it must have (the partition of this list). */
  fixed: Record<string, string>;
  /** Attribute → prefix its value must have. */
  prefixed: Record<string, string>;
}

type Key = Record<string, string>;

/** The shortest secret accepted: 32 characters. */
export const CURSOR_KEY_MIN_LENGTH = 32;
const SIGNATURE_BYTES = 16;
const SHAPE = /^([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{22})$/;

export class CursorCodec {
  private readonly secret: Buffer;

  constructor(secret: string) {
    if (secret.length < CURSOR_KEY_MIN_LENGTH)
      throw new Error(
        `Invalid configuration: CURSOR_KEY must be at least ${CURSOR_KEY_MIN_LENGTH} characters`,
      );
    this.secret = Buffer.from(secret, 'utf8');
  }

  encode(key: Record<string, unknown> | undefined, scope: CursorScope): string | null {
    if (!key) return null;
    const payload = Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
    return `${payload}.${this.sign(payload, scope).toString('base64url')}`;
  }

  decode(cursor: string | undefined, scope: CursorScope): Key | undefined {
    if (cursor === undefined) return undefined;
    const parts = SHAPE.exec(cursor);
    if (!parts) throw invalid();
    const [, payload = '', signature = ''] = parts;
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== SIGNATURE_BYTES || !timingSafeEqual(given, this.sign(payload, scope)))
      throw invalid();
    return checkKey(payload, scope);
  }

  private sign(payload: string, scope: CursorScope): Buffer {
    return createHmac('sha256', this.secret)
      .update(JSON.stringify(scope))
      .update('\n')
      .update(payload)
      .digest()
      .subarray(0, SIGNATURE_BYTES);
  }
}

const invalid = () => ValidationError.field('cursor', 'cursor is not one this server issued for this list.');

/** Only string key attributes, the partition of the list and the sort-key prefix of its items. */
function checkKey(payload: string, scope: CursorScope): Key {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  const entries = Object.entries(parsed as Record<string, unknown>);
  const expected = new Set([...Object.keys(scope.fixed), ...Object.keys(scope.prefixed)]);
  if (entries.length !== expected.size) throw invalid();
  const key: Key = {};
  for (const [name, value] of entries) {
    if (!expected.has(name) || typeof value !== 'string' || value.length > 1024) throw invalid();
    const fixed = scope.fixed[name];
    if (fixed !== undefined && value !== fixed) throw invalid();
    const prefix = scope.prefixed[name];
    if (prefix !== undefined && (!value.startsWith(prefix) || value.length === prefix.length))
      throw invalid();
    key[name] = value;
  }
  return key;
}
