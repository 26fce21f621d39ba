import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../functions/adapters/dynamodb/cursor.ts';

const scope = { fixed: { pk: 'TENANT#acme' }, prefixed: { sk: 'GRANT#' } };

describe('cursors', () => {
  it('round-trips a key of the list it belongs to', () => {
    const cursor = encodeCursor({ pk: 'TENANT#acme', sk: 'GRANT#01J' }) as string;
    expect(decodeCursor(cursor, scope)).toEqual({ pk: 'TENANT#acme', sk: 'GRANT#01J' });
  });

  it.each([
    ['another tenant', encodeCursor({ pk: 'TENANT#globex', sk: 'GRANT#01J' })],
    ['another item type', encodeCursor({ pk: 'TENANT#acme', sk: 'CONTACT#01J' })],
    ['an extra attribute', encodeCursor({ pk: 'TENANT#acme', sk: 'GRANT#01J', x: 'y' })],
    ['a non-string value', encodeCursor({ pk: 'TENANT#acme', sk: { S: 'GRANT#1' } })],
    ['garbage', 'not!base64'],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64url')],
    ['an array', Buffer.from('[1]').toString('base64url')],
    ['empty', ''],
  ])('rejects %s as validation-failed', (_, cursor) => {
    expect(() => decodeCursor(cursor as string, scope)).toThrow(
      expect.objectContaining({ code: 'validation-failed' }),
    );
  });
});
