export interface ScheduledExpiry {
  tenantId: string;
  grantId: string;
  expiresAt: string;
  version: number;
  /** When the "access ends soon" reminder is due; null: no reminder schedule. */
  remindAt: string | null;
}

/**
 * One one-time schedule per grant that invokes the expiry function at the deadline, and one
 * for its pending reminder. `reschedule` moves both (and removes the reminder's when none is
 * pending any more); `unschedule` removes both.
 */
export interface GrantScheduler {
  schedule(expiry: ScheduledExpiry): Promise<void>;
  reschedule(expiry: ScheduledExpiry): Promise<void>;
  unschedule(grant: { tenantId: string; grantId: string }): Promise<void>;
  /** A one-time schedule that lapses a pending instruction at its `confirmBy`. */
  scheduleLapse(instruction: { tenantId: string; instructionId: string; confirmBy: string }): Promise<void>;
  unscheduleLapse(instruction: { tenantId: string; instructionId: string }): Promise<void>;
}
