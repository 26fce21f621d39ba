import { randomUUID } from 'node:crypto';
import { type AuditEvent, isNotifiedEventType, type NotifiedEventType } from '../domain/audit.ts';
import type { Clock } from '../domain/clock.ts';
import type {
  GrantStore,
  IdGenerator,
  Log,
  Mailer,
  NotificationKey,
  NotificationLedger,
} from '../domain/ports.ts';
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
  /** Mails SES accepted whose ledger entry could not be written: sent, never re-sent by us now. */
  unrecorded: number;
}

/** Attempts at recording a send SES has accepted; the mail itself is never sent again for it. */
const SETTLE_ATTEMPTS = 3;

export function isNotifiedEvent<E extends Pick<AuditEvent, 'type'>>(
  event: E,
): event is E & { type: NotifiedEventType } {
  return isNotifiedEventType(event.type);
}

/**
 * Emails every contact of the tenant about one grant event, exactly once per contact: the
 * ledger claim keeps a second processing of the same event from sending again. A failing mail
 * server never touches the grant; the send is retried and finally recorded as failed.
 */
export async function notifyContacts(deps: NotifyDeps, event: AuditEvent): Promise<NotifyResult> {
  const result: NotifyResult = { sent: 0, failed: 0, retry: 0, skipped: 0, unrecorded: 0 };
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
    let messageId: string;
    try {
      messageId = await deps.mailer.send(grantEmail(event, contact));
    } catch (error) {
      result[await sendFailed(deps, event, key, owner, claim.attempts, details, error)]++;
      continue;
    }
    // SES has accepted the mail. Whatever happens to the ledger from here on, it is neither sent
    // again nor reported as failed.
    const recorded = await settleSent(deps, event, key, owner, { ...details, messageId });
    result.sent++;
    if (!recorded) result.unrecorded++;
  }
  return result;
}

type SendDetails = { recipient: string; contactId: string; eventId: string; eventType: string };

/** A send failed: give the claim back for a retry, or record the failure for good after the last attempt. */
async function sendFailed(
  deps: NotifyDeps,
  event: AuditEvent,
  key: NotificationKey,
  owner: string,
  attempts: number,
  details: SendDetails,
  error: unknown,
): Promise<'failed' | 'retry'> {
  const reason = (error as Error).name || 'Error';
  const context = { eventId: event.eventId, contactId: key.contactId, attempts };
  try {
    if (attempts >= deps.maxAttempts) {
      await deps.ledger.settle(
        key,
        owner,
        'failed',
        newEvent(deps, deps.clock.now(), event.tenantId, 'notification.failed', 'system', event.grantId, {
          ...details,
          attempts,
          error: reason,
        }),
      );
      deps.log.error('Email failed for good', context);
      return 'failed';
    }
    await deps.ledger.release(key, owner, reason);
  } catch (ledgerError) {
    // The claim stays leased; once the lease ends, a redelivery claims it again.
    deps.log.error('Could not record a failed send; it is retried after the lease', {
      ...context,
      error: (ledgerError as Error).name,
    });
  }
  deps.log.warn('Email failed; will retry', context);
  return 'retry';
}

/**
 * Records an accepted send with its `notification.sent` event, retrying the write itself. A lost
 * claim on a retry means an earlier attempt was written after all (its answer was lost) or the
 * lease passed to another sender: either way there is nothing left to record here.
 */
async function settleSent(
  deps: NotifyDeps,
  event: AuditEvent,
  key: NotificationKey,
  owner: string,
  details: SendDetails & { messageId: string },
): Promise<boolean> {
  const sent = newEvent(
    deps,
    deps.clock.now(),
    event.tenantId,
    'notification.sent',
    'system',
    event.grantId,
    details,
  );
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.ledger.settle(key, owner, 'sent', sent);
      return true;
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ConcurrentModificationError' && attempt > 1) return true;
      if (attempt >= SETTLE_ATTEMPTS || name === 'ConcurrentModificationError') {
        deps.log.error('Email sent but not recorded; it is not sent again now', {
          eventId: event.eventId,
          contactId: key.contactId,
          error: name,
        });
        return false;
      }
    }
  }
}
