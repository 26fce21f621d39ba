import { ValidationError } from '../../domain/errors.ts';

/**
 * Cursors are DynamoDB's LastEvaluatedKey, checked on the way back in: only string key
 * attributes, the partition of the list being read and the sort-key prefix of its items. A
 * client can only ever move within the list it was given; anything else is `validation-failed`.
 */
export interface CursorScope {
  /** Attribute → exact value it must have (the partition of this list). */
  fixed: Record<string, string>;
  /** Attribute → prefix its value must have. */
  prefixed: Record<string, string>;
}

type Key = Record<string, string>;

export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  if (!key) return null;
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, scope: CursorScope): Key | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () =>
    ValidationError.field('cursor', 'cursor is not one this server issued for this list.');
  if (cursor.length === 0 || cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
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
