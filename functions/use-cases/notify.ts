import { randomUUID } from 'node:crypto';
import {
  type AuditEvent,
  isMailedWhenChained,
  isNotifiedEventType,
  type NotifiedEventType,
} from '../domain/audit.ts';
import type { Clock } from '../domain/clock.ts';
import { consoleUrls } from '../domain/console-urls.ts';
import type { Contact } from '../domain/contact.ts';
import type { EventDetails } from '../domain/event-types.ts';
import { idTime } from '../domain/ids.ts';
import {
  type AuditChainStore,
  type ContactStore,
  type GrantStore,
  type IdGenerator,
  type LinkStore,
  type Log,
  type Mailer,
  MailThrottledError,
  type NotificationKey,
  type NotificationLedger,
  type ReceiptStore,
} from '../domain/ports.ts';
import { type MailReceipt, type MailStyle, notificationEmail } from '../email/templates.ts';
import { activityLine, CHAIN_SETTLE_MS, grantReceipt } from './audit.ts';
import { newEvent } from './events.ts';
import { type Addressee, linksFor } from './mail-links.ts';
import type { SendPacer } from './pacing.ts';

export interface NotifyDeps {
  contacts: Pick<ContactStore, 'listContacts'>;
  links: Pick<LinkStore, 'issueLinks'>;
  grants: Pick<GrantStore, 'getGrant'>;
  receipts: ReceiptStore;
  chain: Pick<AuditChainStore, 'getChainHead'>;
  /** The console's URL; emailed links point at its `/act#<token>` page. */
  consoleUrl: string;
  /** How the mails present the vendor (its name in their header). */
  mailStyle?: MailStyle;
  ledger: NotificationLedger;
  mailer: Mailer;
  clock: Clock;
  ids: IdGenerator;
  log: Log;
  /** Attempts per (event, contact) before it is recorded as notification.failed. */
  maxAttempts: number;
  /** How long a claim protects a send in progress (longer than a send may wait for its turn). */
  leaseMs: number;
  /** Paces sends to the mail account's quota; without one, a refused send is simply held back. */
  pacer?: SendPacer | undefined;
}

export interface NotifyResult {
  sent: number;
  failed: number;
  /** Sends that failed this time and must be tried again. */
  retry: number;
  skipped: number;
  /** Mails SES accepted whose ledger entry could not be written: sent, never re-sent by us now. */
  unrecorded: number;
  /** Held back because the account's daily quota is used up: sent later, no attempt spent. */
  throttled: number;
  /** Held back because their turn at the account's send rate came too late for now: sent later, no attempt spent. */
  deferred: number;
}

/** Attempts at recording a send SES has accepted; the mail itself is never sent again for it. */
const SETTLE_ATTEMPTS = 3;

export function isNotifiedEvent<E extends Pick<AuditEvent, 'type'>>(
  event: E,
): event is E & { type: NotifiedEventType } {
  return isNotifiedEventType(event.type);
}

/**
 * Emails every contact of the tenant about one notified event, exactly once per contact: the
 * ledger claim keeps a second processing of the same event from sending again. A failing mail
 * server never touches the grant; the send is retried and finally recorded as failed.
 */
export async function notifyContacts(
  deps: NotifyDeps,
  event: AuditEvent,
  /** When the sends must stop waiting for their turn (epoch ms, the pacer's clock). */
  { deadline = Number.POSITIVE_INFINITY }: { deadline?: number } = {},
): Promise<NotifyResult> {
  const result: NotifyResult = {
    sent: 0,
    failed: 0,
    retry: 0,
    skipped: 0,
    unrecorded: 0,
    throttled: 0,
    deferred: 0,
  };
  if (!isNotifiedEvent(event)) return result;
  const contacts = recipientsOf(event, await deps.contacts.listContacts(event.tenantId));
  const receipt = await receiptFor(deps, event);
  if (receipt === 'not-chained') {
    // Not under the chain's head yet: mailed when the chain passes it (never with an older head).
    result.retry = contacts.length;
    return result;
  }
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
      const links = await linksFor(
        { links: deps.links, clock: deps.clock, linkUrl: consoleUrls(deps.consoleUrl).link },
        event,
        contact,
      );
      const sent = await sendInTurn(
        deps,
        notificationEmail(event, contact, links, receipt, deps.mailStyle),
        deadline,
      );
      if (typeof sent !== 'string') {
        await holdBack(deps, key, owner, sent.held, claim.attempts);
        result[sent.held === 'daily' ? 'throttled' : 'deferred']++;
        // The quota holds the others back just the same: they wait for the redelivery.
        break;
      }
      messageId = sent;
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

/** The emails sent when a grant ends carry what support did under it, and a head that covers it. */
async function receiptFor(
  deps: NotifyDeps,
  event: AuditEvent,
): Promise<MailReceipt | undefined | 'not-chained'> {
  if (!isMailedWhenChained(event.type) || !event.grantId) return undefined;
  const head = await deps.chain.getChainHead(event.tenantId);
  // Event ids sort by time: a head at or after the end event has chained it and all before it.
  if (!head || head.eventId < event.eventId) return 'not-chained';
  // A request that read the grant before its end was written can still add an event of the grant
  // whose id sorts after the end's (made between the end's arrival and its commit, at most a
  // function's run): those must lie under the head too. By the time the chain has sealed the end
  // every such event is written; wait until it is chained as well.
  const lateUntil = new Date(idTime(event.eventId).getTime() + CHAIN_SETTLE_MS);
  if ((await deps.receipts.unchainedGrantEvents(event.tenantId, event.grantId, event.eventId, lateUntil)) > 0)
    return 'not-chained';
  const receipt = await grantReceipt(deps, event.tenantId, event.grantId, deps.clock.now(), {
    limit: RECEIPT_ACTIVITIES,
  });
  return {
    accessChecks: receipt.accessChecks,
    callerVerifications: receipt.callerVerifications,
    agents: receipt.agents,
    activities: receipt.activities.flatMap((e) => (e.type === 'support.activity' ? [activityLine(e)] : [])),
    moreActivities: Math.max(0, receipt.activityCount - receipt.activities.length),
    url: consoleUrls(deps.consoleUrl).receipt(event.grantId),
    auditHead: head.hash,
  };
}

/** How many activities an email lists; the console's receipt has them all. */
const RECEIPT_ACTIVITIES = 20;

/**
 * Every contact the tenant had when the event happened (one registered later is not told of
 * what came before, even when the stream delivers an old event again); for a contact added or
 * removed, that contact too (a removed one is no longer on the list, and must still learn of it).
 */
function recipientsOf(event: AuditEvent, all: Contact[]): Addressee[] {
  const contacts = all.filter((c) => c.createdAt <= event.at);
  if (event.type !== 'contact.added' && event.type !== 'contact.removed') return contacts;
  const { contactId, name, email, locale, timeZone } = event.details;
  if (contacts.some((c) => c.contactId === contactId)) return contacts;
  return [
    ...contacts,
    { contactId, name, email, locale, timeZone, canGrantAccess: false, canInstruct: false },
  ];
}

/**
 * Sends once the pacer gives this mail its turn, again after a refusal for the send rate (the
 * pacer slows down); or says which quota held it back until `deadline`.
 */
async function sendInTurn(
  deps: NotifyDeps,
  email: ReturnType<typeof notificationEmail>,
  deadline: number,
): Promise<string | { held: 'rate' | 'daily' }> {
  for (;;) {
    const slot = deps.pacer ? await deps.pacer.slot(deadline) : 'send';
    if (slot !== 'send') return { held: slot };
    try {
      const messageId = await deps.mailer.send(email);
      deps.pacer?.sent();
      return messageId;
    } catch (error) {
      if (!(error instanceof MailThrottledError)) throw error;
      if (!deps.pacer) return { held: error.quota };
      deps.pacer.refused(error.quota);
    }
  }
}

/** The quota refused this send, not the mail server: the claim goes back without spending an attempt. */
async function holdBack(
  deps: NotifyDeps,
  key: NotificationKey,
  owner: string,
  quota: 'rate' | 'daily',
  attempts: number,
): Promise<void> {
  const reason = quota === 'daily' ? 'daily quota used up' : 'send rate';
  try {
    await deps.ledger.release(key, owner, reason, { countAttempt: false });
  } catch (error) {
    // The claim stays leased; once the lease ends, a redelivery claims it again (counted once more).
    deps.log.error('Could not give back a held-back send; it is retried after the lease', {
      eventId: key.eventId,
      contactId: key.contactId,
      attempts,
      error: (error as Error).name,
    });
  }
}

type SendDetails = Omit<EventDetails<'notification.sent'>, 'messageId'>;

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
