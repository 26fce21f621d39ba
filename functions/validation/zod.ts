/**
 * zod's tree-shakable "mini" build with English messages: the full namespace would add about
 * 440 KB to every function bundle (cold start); named re-exports keep it to what is used.
 * Use as `import * as z from './zod.ts'`.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export type { infer, ZodMiniType } from 'zod/mini';
export {
  array,
  boolean,
  discriminatedUnion,
  email,
  enum,
  int,
  iso,
  literal,
  maxLength,
  meta,
  minLength,
  nullable,
  object,
  optional,
  pipe,
  record,
  refine,
  regex,
  strictObject,
  string,
  toJSONSchema,
  transform,
  union,
  unknown,
} from 'zod/mini';
