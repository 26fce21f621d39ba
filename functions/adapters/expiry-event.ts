import * as z from '../validation/zod.ts';

/**
 * What a grant's one-time schedules hand the expiry function (at the deadline, or at the reminder): written by the Scheduler adapter,
 * read by the expiry handler. `version` and `expiresAt` say which deadline the schedule was
 * made for (an invocation for an older one is stale); a reader tolerates their absence.
 */
export const ExpiryEvent = z.object({
  tenantId: z.string().check(z.minLength(1)),
  grantId: z.string().check(z.minLength(1)),
  version: z.optional(z.int()),
  expiresAt: z.optional(z.string()),
  /**
   * A grant's reminder schedule says `reminder`, its expiry schedule nothing (or `expiry`); an
   * instruction's lapse schedule says `lapse`, with the instruction's id in `grantId`.
   */
  kind: z.optional(z.enum(['expiry', 'reminder', 'lapse'])),
});
export type ExpiryEvent = z.infer<typeof ExpiryEvent>;
