import * as z from '../validation/zod.ts';

/**
 * What a grant's one-time schedule hands the expiry function: written by the Scheduler adapter,
 * read by the expiry handler. `version` and `expiresAt` say which deadline the schedule was
 * made for (an invocation for an older one is stale); a reader tolerates their absence.
 */
export const ExpiryEvent = z.object({
  tenantId: z.string().check(z.minLength(1)),
  grantId: z.string().check(z.minLength(1)),
  version: z.optional(z.int()),
  expiresAt: z.optional(z.string()),
});
export type ExpiryEvent = z.infer<typeof ExpiryEvent>;
