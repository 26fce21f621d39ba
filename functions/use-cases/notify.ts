import { randomUUID } from 'node:crypto';
import { type AuditEvent, NOTIFIED_EVENT_TYPES } from '../domain/audit.ts';
import type { Clock } from '../domain/clock.ts';
import type { GrantStore, IdGenerator, Log, Mailer, NotificationLedger } from '../domain/ports.ts';
import { grantEmail } from '../email/templates.ts';
import { newEvent } from './events.ts';

export interface NotifyDeps {
  store: Pick<GrantStore, 'listContacts'>;
  ledger: NotificationLedger;
  mailer: Mailer;
  clock: Clock;
  ids: IdGenerator;
  log: Log;
  /** Attempts per (event, contact) before it is recorded as notification.failed. */
  maxAttempts: number;
  /** How long a claim protects a send in progress. */
  leaseMs: number;
}

export interface NotifyResult {
  sent: number;
  failed: number;
  /** Sends that failed this time and must be tried again. */
  retry: number;
  skipped: number;
}

export function isNotifiedEvent(event: Pick<AuditEvent, 'type'>): boolean {
  return NOTIFIED_EVENT_TYPES.has(event.type);
}

/**
 * Emails every contact of the tenant about one grant event, exactly once per contact: the
 * ledger claim keeps a second processing of the same event from sending again. A failing mail
 * server never touches the grant; the send is retried and finally recorded as failed.
 */
export async function notifyContacts(deps: NotifyDeps, event: AuditEvent): Promise<NotifyResult> {
  const result: NotifyResult = { sent: 0, failed: 0, retry: 0, skipped: 0 };
  if (!isNotifiedEvent(event)) return result;
  const contacts = await deps.store.listContacts(event.tenantId);
  const owner = randomUUID();
  for (const contact of contacts) {
    const key = { tenantId: event.tenantId, eventId: event.eventId, contactId: contact.contactId };
    const claim = await deps.ledger.claim(key, owner, deps.clock.now(), deps.leaseMs);
    if (!claim) {
      result.skipped++;
      continue;
    }
    const details = {
      recipient: contact.email,
      contactId: contact.contactId,
      eventId: event.eventId,
      eventType: event.type,
    };
    try {
      const messageId = await deps.mailer.send(grantEmail(event, contact));
      const now = deps.clock.now();
      await deps.ledger.settle(
        key,
        owner,
        'sent',
        newEvent(deps, now, event.tenantId, 'notification.sent', 'system', event.grantId, {
          ...details,
          messageId,
        }),
      );
      result.sent++;
    } catch (error) {
      const reason = (error as Error).name || 'Error';
      if (claim.attempts >= deps.maxAttempts) {
        await deps.ledger.settle(
          key,
          owner,
          'failed',
          newEvent(deps, deps.clock.now(), event.tenantId, 'notification.failed', 'system', event.grantId, {
            ...details,
            attempts: claim.attempts,
            error: reason,
          }),
        );
        deps.log.error('Email failed for good', {
          eventId: event.eventId,
          contactId: contact.contactId,
          attempts: claim.attempts,
        });
        result.failed++;
      } else {
        await deps.ledger.release(key, owner, reason);
        deps.log.warn('Email failed; will retry', {
          eventId: event.eventId,
          contactId: contact.contactId,
          attempts: claim.attempts,
        });
        result.retry++;
      }
    }
  }
  return result;
}
