import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CursorCodec,
  CursorKeyring,
  type CursorKeys,
  type CursorScope,
} from '../../functions/adapters/dynamodb/cursor.ts';

const scope: CursorScope = { fixed: { pk: 'TENANT#acme' }, prefixed: { sk: 'GRANT#' } };
const codec = new CursorCodec('k'.repeat(40));
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const invalid = expect.objectContaining({ code: 'validation-failed' });

describe('cursors', () => {
  it('round-trips a key of the list it belongs to', async () => {
    const cursor = (await codec.encode({ pk: 'TENANT#acme', sk: 'GRANT#01J' }, scope)) as string;
    expect(await codec.decode(cursor, scope)).toEqual({ pk: 'TENANT#acme', sk: 'GRANT#01J' });
  });

  it('a cursor issued for another tenant or list is refused', async () => {
    const other = { fixed: { pk: 'TENANT#globex' }, prefixed: { sk: 'GRANT#' } };
    const cursor = (await codec.encode({ pk: 'TENANT#globex', sk: 'GRANT#01J' }, other)) as string;
    await expect(codec.decode(cursor, scope)).rejects.toThrow(invalid);
    const events = { fixed: { pk: 'TENANT#acme' }, prefixed: { sk: 'EVENT#' } };
    const eventCursor = (await codec.encode({ pk: 'TENANT#acme', sk: 'EVENT#01J' }, events)) as string;
    await expect(codec.decode(eventCursor, scope)).rejects.toThrow(invalid);
  });

  it('a cursor signed with another secret is refused', async () => {
    const cursor = (await new CursorCodec('x'.repeat(40)).encode(
      { pk: 'TENANT#acme', sk: 'GRANT#01J' },
      scope,
    )) as string;
    await expect(codec.decode(cursor, scope)).rejects.toThrow(invalid);
  });

  it('a well-formed key with a forged or edited signature is refused', async () => {
    const good = (await codec.encode({ pk: 'TENANT#acme', sk: 'GRANT#01J' }, scope)) as string;
    const [payload, signature] = good.split('.') as [string, string];
    const edited = `${b64(JSON.stringify({ pk: 'TENANT#acme', sk: 'GRANT#~' }))}.${signature}`;
    await expect(codec.decode(edited, scope)).rejects.toThrow(invalid);
    const flipped = `${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    await expect(codec.decode(flipped, scope)).rejects.toThrow(invalid);
  });

  it.each([
    ['an unsigned key (the old format)', b64(JSON.stringify({ pk: 'TENANT#acme', sk: 'GRANT#01J' }))],
    ['garbage', 'not!base64'],
    ['base64 of non-JSON', `${b64('hello')}.${'A'.repeat(22)}`],
    ['a short signature', `${b64('{}')}.AAAA`],
    ['empty', ''],
    ['only a dot', '.'],
    ['huge', `${'A'.repeat(5000)}.${'A'.repeat(22)}`],
  ])('rejects %s as validation-failed', async (_, cursor) => {
    await expect(codec.decode(cursor, scope)).rejects.toThrow(invalid);
  });

  it('rejects every random string', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (cursor) => {
        await expect(codec.decode(cursor, scope)).rejects.toThrow(invalid);
      }),
      { seed: 11, numRuns: 500 },
    );
  });

  it('refuses a secret shorter than 32 characters', () => {
    expect(() => new CursorCodec('short')).toThrow(/CURSOR_KEY/);
  });
});

describe('cursor keys during a rotation', () => {
  const OLD = 'o'.repeat(40);
  const NEW = 'n'.repeat(40);
  const key = { pk: 'TENANT#acme', sk: 'GRANT#01J' };

  /** A secret whose versions the test sets, read through the keyring as the functions do. */
  function secret(initial: CursorKeys) {
    let versions = initial;
    let reads = 0;
    let fail = false;
    let clock = 0;
    const keyring = new CursorKeyring(
      async () => {
        reads++;
        if (fail) throw new Error('extension unavailable');
        return versions;
      },
      { maxAgeMs: 300_000, now: () => clock },
    );
    return {
      codec: new CursorCodec(keyring),
      set: (next: CursorKeys) => {
        versions = next;
      },
      failReads: (value: boolean) => {
        fail = value;
      },
      advance: (ms: number) => {
        clock += ms;
      },
      reads: () => reads,
    };
  }
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('signs with the current key and accepts cursors signed with the previous one', async () => {
    const before = (await new CursorCodec(OLD).encode(key, scope)) as string;
    const s = secret({ current: NEW, accepted: [NEW, OLD] });
    expect(await s.codec.decode(before, scope)).toEqual(key);
    const after = (await s.codec.encode(key, scope)) as string;
    expect(await new CursorCodec(NEW).decode(after, scope)).toEqual(key);
    await expect(new CursorCodec(OLD).decode(after, scope)).rejects.toThrow(invalid);
    // A key that is neither current nor previous is refused.
    const stranger = (await new CursorCodec('s'.repeat(40)).encode(key, scope)) as string;
    await expect(s.codec.decode(stranger, scope)).rejects.toThrow(invalid);
  });

  it('reads the secret once, and again in the background once the keys are older than five minutes', async () => {
    const s = secret({ current: OLD, accepted: [OLD] });
    const signedOld = (await s.codec.encode(key, scope)) as string;
    await s.codec.encode(key, scope);
    expect(s.reads()).toBe(1);
    // The rotation's first step: the new key is pending (accepted, not yet signing).
    s.set({ current: OLD, accepted: [OLD, NEW] });
    const signedNew = (await new CursorCodec(NEW).encode(key, scope)) as string;
    s.advance(299_000);
    await expect(s.codec.decode(signedNew, scope)).rejects.toThrow(invalid);
    s.advance(1_000);
    await s.codec.decode(signedOld, scope); // served with the keys it has; reads anew meanwhile
    await settle();
    expect(s.reads()).toBe(2);
    expect(await s.codec.decode(signedNew, scope)).toEqual(key);
    expect(await s.codec.decode(signedOld, scope)).toEqual(key);
  });

  it('keeps serving with the keys it has when a later read fails, and retries a failed first read', async () => {
    const s = secret({ current: OLD, accepted: [OLD] });
    s.failReads(true);
    await expect(s.codec.encode(key, scope)).rejects.toThrow(/extension unavailable/);
    s.failReads(false);
    const cursor = (await s.codec.encode(key, scope)) as string;
    s.failReads(true);
    s.advance(600_000);
    expect(await s.codec.decode(cursor, scope)).toEqual(key);
    await settle();
    expect(await s.codec.decode(cursor, scope)).toEqual(key);
  });

  it('refuses a current key shorter than 32 characters, and leaves out a short pending one', async () => {
    const s = secret({ current: 'short', accepted: ['short'] });
    await expect(s.codec.encode(key, scope)).rejects.toThrow(/at least 32/);
    const t = secret({ current: OLD, accepted: [OLD, 'short'] });
    const cursor = (await t.codec.encode(key, scope)) as string;
    expect(await t.codec.decode(cursor, scope)).toEqual(key);
    const signedShort = (await new CursorCodec('s'.repeat(40)).encode(key, scope)) as string;
    await expect(t.codec.decode(signedShort, scope)).rejects.toThrow(invalid);
  });
});
