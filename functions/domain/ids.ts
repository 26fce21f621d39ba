import { decodeTime, encodeTime, monotonicFactory } from 'ulid';
import type { IdGenerator } from './ports.ts';

/** ULIDs: sortable by creation time, so "newest first" is a reverse key order. */
export function ulidGenerator(): IdGenerator {
  const next = monotonicFactory();
  return { next: (at: Date) => next(at.getTime()) };
}

export const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The time part of every id made at `at` (ids sort by it): `id < idTimePrefix(t)` ⇔ made before t. */
export function idTimePrefix(at: Date): string {
  return encodeTime(Math.max(0, at.getTime()), 10);
}

/** When an id was made (its time part). */
export function idTime(id: string): Date {
  return new Date(decodeTime(id));
}
