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

/** The key that signs new cursors, and every key a cursor may have been signed with. */
export interface CursorKeys {
  current: string;
  /** The current key and the others still honoured during a rotation (previous, pending). */
  accepted: string[];
}

interface LoadedKeys {
  signing: Buffer;
  verifying: Buffer[];
}

/** A current key too short fails; a too-short other key is left out (it must not block a refresh). */
function checked(keys: CursorKeys): LoadedKeys {
  if (keys.current.length < CURSOR_KEY_MIN_LENGTH)
    throw new Error(
      `Invalid configuration: a cursor key must be at least ${CURSOR_KEY_MIN_LENGTH} characters`,
    );
  const others = keys.accepted.filter((k) => k.length >= CURSOR_KEY_MIN_LENGTH);
  const accepted = others.includes(keys.current) ? others : [keys.current, ...others];
  return {
    signing: Buffer.from(keys.current, 'utf8'),
    verifying: [...new Set(accepted)].map((k) => Buffer.from(k, 'utf8')),
  };
}

/**
 * The cursor keys as the secret holds them, read on first use and kept for `maxAgeMs`; after
 * that the next use reads them again in the background and goes on with the ones it has, so a
 * rotation reaches a warm function within minutes and a failed read never fails a request that
 * has keys. Only the very first read is waited for (and a failed one is tried again next time).
 */
export class CursorKeyring {
  private loaded: { keys: LoadedKeys; at: number } | undefined;
  private loading: Promise<LoadedKeys> | undefined;

  constructor(
    private readonly read: () => Promise<CursorKeys>,
    private readonly options: { maxAgeMs?: number; now?: () => number } = {},
  ) {}

  async keys(): Promise<LoadedKeys> {
    const now = (this.options.now ?? Date.now)();
    if (this.loaded) {
      if (now - this.loaded.at >= (this.options.maxAgeMs ?? 300_000)) void this.refresh(now).catch(() => {});
      return this.loaded.keys;
    }
    return this.refresh(now);
  }

  private refresh(now: number): Promise<LoadedKeys> {
    this.loading ??= this.read()
      .then((keys) => {
        const loaded = checked(keys);
        this.loaded = { keys: loaded, at: now };
        return loaded;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}

export class CursorCodec {
  private readonly keyring: { keys(): Promise<LoadedKeys> };

  /** One fixed secret (tests, tools), or the keyring the functions read from the secret. */
  constructor(keys: string | CursorKeyring) {
    if (typeof keys === 'string') {
      if (keys.length < CURSOR_KEY_MIN_LENGTH)
        throw new Error(
          `Invalid configuration: CURSOR_KEY must be at least ${CURSOR_KEY_MIN_LENGTH} characters`,
        );
      const loaded = checked({ current: keys, accepted: [keys] });
      this.keyring = { keys: async () => loaded };
    } else this.keyring = keys;
  }

  async encode(key: Record<string, unknown> | undefined, scope: CursorScope): Promise<string | null> {
    if (!key) return null;
    const { signing } = await this.keyring.keys();
    const payload = Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
    return `${payload}.${sign(signing, payload, scope).toString('base64url')}`;
  }

  /** The key to start after; a cursor signed with any accepted key (current, previous, pending) is good. */
  async decode(cursor: string | undefined, scope: CursorScope): Promise<Key | undefined> {
    if (cursor === undefined) return undefined;
    const parts = SHAPE.exec(cursor);
    if (!parts) throw invalid();
    const [, payload = '', signature = ''] = parts;
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== SIGNATURE_BYTES) throw invalid();
    const { verifying } = await this.keyring.keys();
    if (!verifying.some((secret) => timingSafeEqual(given, sign(secret, payload, scope)))) throw invalid();
    return checkKey(payload, scope);
  }
}

function sign(secret: Buffer, payload: string, scope: CursorScope): Buffer {
  return createHmac('sha256', secret)
    .update(JSON.stringify(scope))
    .update('\n')
    .update(payload)
    .digest()
    .subarray(0, SIGNATURE_BYTES);
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
  const entries = Object.entries(parsed);
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
