import type { AuditEvent } from './audit.ts';
import { isBeforeDeadline } from './grant.ts';
import type { ActiveAccess } from './ports.ts';

/**
 * One "may I access tenant T now?": stamped on the tenant's access item by the check's single
 * write, which also returns the grant state that write saw. The stamp is the durable record;
 * the stream turns it into the `access.checked` event (its id is the check's id, so exactly once).
 */
export interface AccessCheck {
  checkId: string;
  tenantId: string;
  /** The decision instant: taken before the write, so the answer reflects every change committed before it. */
  checkedAt: string;
  agent: string;
}

/** A check as the stream delivers it: the stamp and the grant state its write saw. */
export interface StampedCheck {
  check: AccessCheck;
  active: ActiveAccess | null;
  /**
   * The tenant's count of stamped checks after this one (1, 2, 3, …; 0 for a stamp written before
   * checks were counted): consecutive numbers, so a recorder can tell a check it never saw.
   */
  seq: number;
}

export interface AccessAnswer {
  tenantId: string;
  access: boolean;
  grant: { grantId: string; expiresAt: string; reason: string; ticket: string | null } | null;
  checkedAt: string;
}

/** Access only while `checkedAt` lies before the deadline of the grant the write saw. */
export function accessAnswer(check: AccessCheck, active: ActiveAccess | null): AccessAnswer {
  const access = active !== null && isBeforeDeadline(active, check.checkedAt);
  return {
    tenantId: check.tenantId,
    access,
    grant:
      access && active
        ? {
            grantId: active.grantId,
            expiresAt: active.expiresAt,
            reason: active.reason,
            ticket: active.ticket,
          }
        : null,
    checkedAt: check.checkedAt,
  };
}

/** The audit event of a recorded check: the same whether built from the answer or from the stream. */
export function accessCheckedEvent(check: AccessCheck, active: ActiveAccess | null): AuditEvent {
  const answer = accessAnswer(check, active);
  return {
    eventId: check.checkId,
    tenantId: check.tenantId,
    at: check.checkedAt,
    type: 'access.checked',
    actor: check.agent,
    grantId: answer.grant?.grantId ?? null,
    details: { access: answer.access, checkedAt: answer.checkedAt },
  };
}
