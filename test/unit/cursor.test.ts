import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CursorCodec, type CursorScope } from '../../functions/adapters/dynamodb/cursor.ts';

const scope: CursorScope = { fixed: { pk: 'TENANT#acme' }, prefixed: { sk: 'GRANT#' } };
const codec = new CursorCodec('k'.repeat(40));
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const invalid = expect.objectContaining({ code: 'validation-failed' });

describe('cursors', () => {
  it('round-trips a key of the list it belongs to', () => {
    const cursor = codec.encode({ pk: 'TENANT#acme', sk: 'GRANT#01J' }, scope) as string;
    expect(codec.decode(cursor, scope)).toEqual({ pk: 'TENANT#acme', sk: 'GRANT#01J' });
  });

  it('a cursor issued for another tenant or list is refused', () => {
    const other = { fixed: { pk: 'TENANT#globex' }, prefixed: { sk: 'GRANT#' } };
    const cursor = codec.encode({ pk: 'TENANT#globex', sk: 'GRANT#01J' }, other) as string;
    expect(() => codec.decode(cursor, scope)).toThrow(invalid);
    const events = { fixed: { pk: 'TENANT#acme' }, prefixed: { sk: 'EVENT#' } };
    const eventCursor = codec.encode({ pk: 'TENANT#acme', sk: 'EVENT#01J' }, events) as string;
    expect(() => codec.decode(eventCursor, scope)).toThrow(invalid);
  });

  it('a cursor signed with another secret is refused', () => {
    const cursor = new CursorCodec('x'.repeat(40)).encode(
      { pk: 'TENANT#acme', sk: 'GRANT#01J' },
      scope,
    ) as string;
    expect(() => codec.decode(cursor, scope)).toThrow(invalid);
  });

  it('a well-formed key with a forged or edited signature is refused', () => {
    const good = codec.encode({ pk: 'TENANT#acme', sk: 'GRANT#01J' }, scope) as string;
    const [payload, signature] = good.split('.') as [string, string];
    const edited = `${b64(JSON.stringify({ pk: 'TENANT#acme', sk: 'GRANT#~' }))}.${signature}`;
    expect(() => codec.decode(edited, scope)).toThrow(invalid);
    const flipped = `${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    expect(() => codec.decode(flipped, scope)).toThrow(invalid);
  });

  it.each([
    ['an unsigned key (the old format)', b64(JSON.stringify({ pk: 'TENANT#acme', sk: 'GRANT#01J' }))],
    ['garbage', 'not!base64'],
    ['base64 of non-JSON', `${b64('hello')}.${'A'.repeat(22)}`],
    ['a short signature', `${b64('{}')}.AAAA`],
    ['empty', ''],
    ['only a dot', '.'],
    ['huge', `${'A'.repeat(5000)}.${'A'.repeat(22)}`],
  ])('rejects %s as validation-failed', (_, cursor) => {
    expect(() => codec.decode(cursor, scope)).toThrow(invalid);
  });

  it('rejects every random string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (cursor) => {
        expect(() => codec.decode(cursor, scope)).toThrow(invalid);
      }),
      { seed: 11, numRuns: 500 },
    );
  });

  it('refuses a secret shorter than 32 characters', () => {
    expect(() => new CursorCodec('short')).toThrow(/CURSOR_KEY/);
  });
});
