import { randomUUID } from 'node:crypto';
import {
  type ActionLink,
  EXTEND_LINK_VALID_SECONDS,
  EXTEND_OPTIONS,
  hashToken,
  type LinkAction,
  newToken,
} from '../domain/action-link.ts';
import {
  type AuditEvent,
  type AuditEventOf,
  isMailedWhenChained,
  isNotifiedEventType,
  type NotifiedEventType,
} from '../domain/audit.ts';
import type { Clock } from '../domain/clock.ts';
import type { Contact } from '../domain/contact.ts';
import type { EventDetails } from '../domain/event-types.ts';
import { idTime } from '../domain/ids.ts';
import { mayConfirm } from '../domain/instruction.ts';
import {
  type GrantStore,
  type IdGenerator,
  type Log,
  type Mailer,
  MailThrottledError,
  type NotificationKey,
  type NotificationLedger,
} from '../domain/ports.ts';
import {
  type MailLinks,
  type MailReceipt,
  type MailStyle,
  notificationEmail,
  type Recipient,
} from '../email/templates.ts';
import { activityLine, CHAIN_SETTLE_MS, grantReceipt } from './audit.ts';
import { newEvent } from './events.ts';
import type { SendPacer } from './pacing.ts';

/** An "End access now" link works until the grant ends; its record is kept at most this long. */
export const END_LINK_VALID_SECONDS = 366 * 86_400;

export interface NotifyDeps {
  store: Pick<
    GrantStore,
    | 'listContacts'
    | 'issueLinks'
    | 'getGrant'
    | 'receiptTally'
    | 'grantActivities'
    | 'unchainedGrantEvents'
    | 'getChainHead'
  >;
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
  const contacts = recipientsOf(event, await deps.store.listContacts(event.tenantId));
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
      const links = await linksFor(deps, event, contact);
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
  const head = await deps.store.getChainHead(event.tenantId);
  // Event ids sort by time: a head at or after the end event has chained it and all before it.
  if (!head || head.eventId < event.eventId) return 'not-chained';
  // A request that read the grant before its end was written can still add an event of the grant
  // whose id sorts after the end's (made between the end's arrival and its commit, at most a
  // function's run): those must lie under the head too. By the time the chain has sealed the end
  // every such event is written; wait until it is chained as well.
  const lateUntil = new Date(idTime(event.eventId).getTime() + CHAIN_SETTLE_MS);
  if ((await deps.store.unchainedGrantEvents(event.tenantId, event.grantId, event.eventId, lateUntil)) > 0)
    return 'not-chained';
  const receipt = await grantReceipt(deps, event.tenantId, event.grantId, deps.clock.now(), {
    limit: RECEIPT_ACTIVITIES,
  });
  return {
    accessChecks: receipt.accessChecks,
    callerVerifications: receipt.callerVerifications,
    agents: receipt.agents,
    activities: receipt.activities.map(activityLine),
    moreActivities: Math.max(0, receipt.activityCount - receipt.activities.length),
    url: consolePage(deps, `/?receipt=${encodeURIComponent(event.grantId)}`),
    auditHead: head.hash,
  };
}

/** A page of the console, the one place mailed console URLs are built. */
function consolePage(deps: NotifyDeps, page: string): string {
  return `${deps.consoleUrl.replace(/\/+$/, '')}${page}`;
}

/**
 * An emailed link's page, its token in the fragment: browsers never send a fragment, so no
 * server, CDN or access log ever records the token (the page removes it from the address bar).
 */
function linkUrl(deps: NotifyDeps, token: string): string {
  return consolePage(deps, `/act#${token}`);
}

/** How many activities an email lists; the console's receipt has them all. */
const RECEIPT_ACTIVITIES = 20;

type Addressee = Recipient &
  Pick<Contact, 'canGrantAccess' | 'canInstruct'> &
  Partial<Pick<Contact, 'createdAt'>>;

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

type NotifiedEvent = Extract<AuditEvent, { type: NotifiedEventType }>;

/** Which one-click links each notified event's email offers: a new notified type must say. */
function linksFor(deps: NotifyDeps, event: NotifiedEvent, contact: Addressee): Promise<MailLinks> {
  switch (event.type) {
    case 'grant.created':
    case 'grant.expiring':
      return grantLinks(deps, event, contact, ['day', 'week']);
    case 'grant.extended':
      return grantLinks(deps, event, contact, []);
    case 'instruction.requested':
      return instructionLinks(deps, event, contact);
    case 'grant.revoked':
    case 'grant.expired':
    case 'contact.added':
    case 'contact.removed':
    case 'instruction.confirmed':
    case 'instruction.rejected':
    case 'instruction.lapsed':
    case 'instruction.completed':
      return Promise.resolve({});
    default:
      return event satisfies never;
  }
}

/**
 * The recipient's own links to end the grant and to extend it by each of `extendBy`, stored
 * (hashed) before the mail that carries them is sent. Only a contact who may grant access gets
 * any: for anyone else a link could do nothing.
 */
async function grantLinks(
  deps: NotifyDeps,
  event: NotifiedEvent,
  contact: Addressee,
  extendBy: readonly (keyof typeof EXTEND_OPTIONS)[],
): Promise<MailLinks> {
  if (!event.grantId || !contact.canGrantAccess) return {};
  const now = deps.clock.now();
  const grantId = event.grantId;
  const issue = (action: LinkAction, extendBySeconds: number | null, validSeconds: number) => {
    const token = newToken();
    const link: ActionLink = {
      tokenHash: hashToken(token),
      tenantId: event.tenantId,
      grantId,
      instructionId: null,
      contactId: contact.contactId,
      action,
      extendBySeconds,
      createdAt: now.toISOString(),
      validUntil: new Date(now.getTime() + validSeconds * 1000).toISOString(),
      usedAt: null,
    };
    return { token, link };
  };
  const end = issue('end', null, END_LINK_VALID_SECONDS);
  const extendLinks = extendBy.map((by) => issue('extend', EXTEND_OPTIONS[by], EXTEND_LINK_VALID_SECONDS));
  await deps.store.issueLinks([end.link, ...extendLinks.map((l) => l.link)]);
  const url = (token: string) => linkUrl(deps, token);
  const byOption = Object.fromEntries(extendBy.map((by, i) => [by, extendLinks[i]?.token]));
  return {
    end: url(end.token),
    extendDay: byOption.day && url(byOption.day),
    extendWeek: byOption.week && url(byOption.week),
  };
}

/**
 * "Confirm" and "Reject" for every contact who may confirm (another person than the requester,
 * registered to instruct before the request: `mayConfirm`), while the request waits for its
 * second pair of eyes; valid until it would lapse.
 */
async function instructionLinks(
  deps: NotifyDeps,
  event: AuditEventOf<'instruction.requested'>,
  contact: Addressee,
): Promise<MailLinks> {
  const { status, instructionId, confirmBy, requestedBy } = event.details;
  if (status !== 'pending-confirmation' || !confirmBy) return {};
  const registeredAt = contact.createdAt;
  // The request's event is written with the instruction, at its createdAt.
  const requested = { requestedBy, createdAt: event.at };
  if (!registeredAt || !mayConfirm(requested, { ...contact, createdAt: registeredAt })) return {};
  const now = deps.clock.now();
  const issued = (['confirm-instruction', 'reject-instruction'] as const).map((action) => {
    const token = newToken();
    const link: ActionLink = {
      tokenHash: hashToken(token),
      tenantId: event.tenantId,
      grantId: null,
      instructionId,
      contactId: contact.contactId,
      action,
      extendBySeconds: null,
      createdAt: now.toISOString(),
      validUntil: confirmBy,
      usedAt: null,
    };
    return { token, link };
  });
  await deps.store.issueLinks(issued.map((i) => i.link));
  const url = (token: string) => linkUrl(deps, token);
  return { confirm: url(issued[0]?.token ?? ''), reject: url(issued[1]?.token ?? '') };
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
