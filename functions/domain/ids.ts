import { monotonicFactory } from 'ulid';
import type { IdGenerator } from './ports.ts';

/** ULIDs: sortable by creation time, so "newest first" is a reverse key order. */
export function ulidGenerator(): IdGenerator {
  const next = monotonicFactory();
  return { next: (at: Date) => next(at.getTime()) };
}

export const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
