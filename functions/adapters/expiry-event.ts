import type { ScheduledWork } from '../domain/scheduled-work.ts';
import * as z from '../validation/zod.ts';

const id = () => z.string().check(z.minLength(1));

/**
 * The payload a schedule hands the expiry function: written by the Scheduler adapter, read by
 * the expiry handler. One shape per kind, each naming its own subject.
 */
export const ScheduledWorkPayload = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('expiry'),
    tenantId: id(),
    grantId: id(),
    version: z.int(),
    expiresAt: z.string(),
  }),
  z.object({
    kind: z.literal('reminder'),
    tenantId: id(),
    grantId: id(),
    version: z.int(),
    remindAt: z.string(),
  }),
  z.object({ kind: z.literal('lapse'), tenantId: id(), instructionId: id(), confirmBy: z.string() }),
]);
export type ScheduledWorkPayload = z.infer<typeof ScheduledWorkPayload>;

/**
 * The one shape the schedules made before the kinds had shapes of their own carry (they still
 * fire after an upgrade): a grant's expiry says no kind (or `expiry`), its reminder `reminder`,
 * and an instruction's lapse `lapse` with the instruction's id in `grantId` and its confirmBy in
 * `expiresAt`.
 */
const EarlierPayload = z.object({
  tenantId: id(),
  grantId: id(),
  version: z.optional(z.int()),
  expiresAt: z.optional(z.string()),
  kind: z.optional(z.enum(['expiry', 'reminder', 'lapse'])),
});

function fromEarlier({
  tenantId,
  grantId,
  version,
  expiresAt,
  kind,
}: z.infer<typeof EarlierPayload>): ScheduledWork {
  switch (kind) {
    case 'lapse':
      return { kind, tenantId, instructionId: grantId, confirmBy: expiresAt };
    case 'reminder':
      return { kind, tenantId, grantId, version };
    case 'expiry':
    case undefined:
      return { kind: 'expiry', tenantId, grantId, version, expiresAt };
    default:
      return kind satisfies never;
  }
}

/** The work a schedule's payload asks for, in either shape; throws on anything else. */
export function parseScheduledWork(input: unknown): ScheduledWork {
  const value = typeof input === 'string' ? JSON.parse(input) : input;
  const current = ScheduledWorkPayload.safeParse(value);
  if (current.success) return current.data;
  return fromEarlier(EarlierPayload.parse(value));
}
