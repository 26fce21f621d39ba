import type { AuditEventOf } from '../domain/audit.ts';
import type { EventDetails, EventType } from '../domain/event-types.ts';
import type { EndReason, Grant } from '../domain/grant.ts';
import type { Deps } from './deps.ts';

export function newEvent<K extends EventType>(
  deps: Pick<Deps, 'ids'>,
  at: Date,
  tenantId: string,
  type: K,
  actor: string,
  grantId: string | null,
  details: EventDetails<K>,
): AuditEventOf<K> {
  return { eventId: deps.ids.next(at), tenantId, at: at.toISOString(), type, actor, grantId, details };
}

type GrantDetails = EventDetails<'grant.created'>;

/** What every grant event records (and every grant email shows); ended grants add when and why. */
export function grantDetails<R extends EndReason>(
  grant: Grant & { endedAt: string; endReason: R },
): GrantDetails & { endedAt: string; endReason: R };
export function grantDetails(grant: Grant): GrantDetails;
export function grantDetails(grant: Grant): GrantDetails & { endedAt?: string; endReason?: EndReason } {
  const details: GrantDetails = {
    reason: grant.reason,
    ticket: grant.ticket,
    expiresAt: grant.expiresAt,
    grantedBy: grant.grantedBy,
  };
  return grant.endedAt !== null && grant.endReason !== null
    ? { ...details, endedAt: grant.endedAt, endReason: grant.endReason }
    : details;
}
