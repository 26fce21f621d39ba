import type { AuditEvent } from '../domain/audit.ts';
import type { Grant } from '../domain/grant.ts';
import type { Deps } from './deps.ts';

export function newEvent(
  deps: Pick<Deps, 'ids'>,
  at: Date,
  tenantId: string,
  type: AuditEvent['type'],
  actor: string,
  grantId: string | null,
  details: Record<string, unknown>,
): AuditEvent {
  return { eventId: deps.ids.next(at), tenantId, at: at.toISOString(), type, actor, grantId, details };
}

/** What every grant event records (and every grant email shows); ended grants add when and why. */
export function grantDetails(grant: Grant): Record<string, unknown> {
  return {
    reason: grant.reason,
    ticket: grant.ticket,
    expiresAt: grant.expiresAt,
    grantedBy: grant.grantedBy,
    ...(grant.status === 'active' ? {} : { endedAt: grant.endedAt, endReason: grant.endReason }),
  };
}
