import type { AuditEvent } from '../audit.ts';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Returns the provider's message id; throws `MailThrottledError` when the account's quota refuses it. */
  send(email: OutgoingEmail): Promise<string>;
  /** The account's sending quota as the provider states it (a mailer without one is paced by its refusals alone). */
  quota?(): Promise<SendQuota>;
}

/** An account's sending quota. Every recipient counts as one message. */
export interface SendQuota {
  /** Messages per second; null: no limit. */
  maxSendRate: number | null;
  /** Messages in any 24 hours; null: no limit. */
  max24HourSend: number | null;
  sentLast24Hours: number;
}

/**
 * The provider refused a send for the account's quota (`rate`: too many per second; `daily`: the
 * last 24 hours' allowance is used up), not for anything about the mail: send it later.
 */
export class MailThrottledError extends Error {
  override readonly name = 'MailThrottledError';
  constructor(
    readonly quota: 'rate' | 'daily',
    message: string,
  ) {
    super(message);
  }
}

export interface NotificationKey {
  tenantId: string;
  eventId: string;
  contactId: string;
}

/**
 * Remembers which (event, contact) emails were sent, so a stream record processed twice never
 * emails anyone twice. A claim is a lease: a crashed sender's claim can be taken over later.
 */
export interface NotificationLedger {
  /** Claims the send; null when it was already sent, failed for good, or is being sent. */
  claim(
    key: NotificationKey,
    owner: string,
    now: Date,
    leaseMs: number,
  ): Promise<{ attempts: number } | null>;
  /** Marks it sent or failed for good, together with its audit event. */
  settle(key: NotificationKey, owner: string, status: 'sent' | 'failed', event: AuditEvent): Promise<void>;
  /**
   * Gives the claim back after a failed attempt, to be retried. `countAttempt: false` when the
   * provider only refused it for its quota: the attempt then does not count toward giving up.
   */
  release(
    key: NotificationKey,
    owner: string,
    error: string,
    options?: { countAttempt?: boolean },
  ): Promise<void>;
}
