import type { AuditEvent } from '../domain/audit.ts';
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
