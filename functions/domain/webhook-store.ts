import type { AuditEvent, DeliverableEventType } from './audit.ts';
import type { Page, PageRequest } from './ports.ts';
import type { StoredWebhook } from './webhooks.ts';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';
export type DeliveryType = DeliverableEventType | 'webhook.test';

/** One event's delivery to one webhook, with its attempts so far. */
export interface Delivery {
  tenantId: string;
  webhookId: string;
  /** The event's id (a test delivery's own id): `webhook-id` on every attempt. */
  eventId: string;
  type: DeliveryType;
  /** The event's time: the body's `timestamp`. */
  at: string;
  /** What the body carries as `data` (EventData, or a test's `{ tenantId, webhookId }`). */
  data: Record<string, unknown>;
  status: DeliveryStatus;
  attempts: number;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  responseStatus: number | null;
  error: string | null;
  /** When the retry driver may take it (its next attempt, or when a sender's claim lapses); null once settled. */
  dueAt: string | null;
  /** The retry driver holding it, if any: only that driver may record the attempt. */
  claim: string | null;
}

/**
 * One endpoint's turn with the retry driver. Every write that adds pending deliveries counts
 * them here and sets `lookAt` (in the same transaction), every settle that ends one counts it
 * off; the driver takes the lease to attempt the endpoint's deliveries, so one endpoint's
 * attempts never come from two looks at once.
 */
export interface Lane {
  tenantId: string;
  webhookId: string;
  /** How many of the endpoint's deliveries are pending. */
  pending: number;
  /** Bumped by every write that adds a pending delivery or brings one forward. */
  version: number;
  /** When the endpoint next wants a look; null once nothing is pending. */
  lookAt: string | null;
  leaseHolder: string | null;
  leaseUntil: string | null;
}

/**
 * Customer webhooks and their deliveries. Every change of a webhook is written with its audit
 * event in one transaction. The stream's sender writes a delivery only after its first attempt
 * (or unattempted, due at once); from then on it is attempted only by the driver that claimed
 * it, so two drivers never record the same attempt.
 */
export interface WebhookStore {
  /** WebhookLimitReachedError when the tenant has WEBHOOKS_MAX already (however many add at once). */
  addWebhook(webhook: StoredWebhook, event: AuditEvent): Promise<void>;
  getWebhook(tenantId: string, webhookId: string): Promise<StoredWebhook | null>;
  /** Oldest first. */
  listWebhooks(tenantId: string): Promise<StoredWebhook[]>;
  /** ConcurrentModificationError when it is gone already. */
  removeWebhook(webhook: StoredWebhook, event: AuditEvent): Promise<void>;
  /** Until when the tenant's endpoints get no first attempt from the stream (null: never held). */
  tenantHeldUntil(tenantId: string): Promise<string | null>;
  /** Holds the tenant until `until`, unless it is held longer already; whether or not it has webhooks now. */
  holdTenant(tenantId: string, until: string): Promise<void>;
  /** Notes that an endpoint of the tenant kept a batch waiting at `at`; returns when one last did before (null: never). */
  noteSlowEndpoint(tenantId: string, at: string): Promise<string | null>;
  /**
   * Only while its secret is still `before`'s (ConcurrentModificationError otherwise); writes
   * the secrets alone, so a failing mark written meanwhile stays.
   */
  replaceSecret(before: StoredWebhook, after: StoredWebhook, event: AuditEvent): Promise<void>;
  /** Marks the webhook failing until `until`, or clears the mark (null); nothing when it is gone. */
  markFailing(tenantId: string, webhookId: string, until: string | null): Promise<void>;
  /**
   * Writes new deliveries as they are (each its first attempt's outcome, or unattempted and due),
   * but none written already (a repeated event writes nothing twice), each pending one counted
   * on its lane, whose `lookAt` becomes the soonest `dueAt` written; returns those it wrote.
   */
  writeDeliveries(deliveries: readonly Delivery[]): Promise<Delivery[]>;
  /**
   * Writes a test delivery (due at its `dueAt`, counted on its lane, whose `lookAt` it sets), the
   * webhook's only one pending, and returns its event id. While the previous test waits for a
   * retry, that retry is brought forward instead (its lane's `lookAt` with it)
   * (and its id returned); while it is due or being attempted: WebhookTestPendingError.
   * ConcurrentModificationError when another test was written meanwhile.
   */
  startTest(delivery: Delivery): Promise<string>;
  /**
   * The lanes with pending deliveries whose `lookAt` is at or before `before`, soonest first
   * (every page).
   */
  lanesToLook(before: Date): Promise<Lane[]>;
  /**
   * Moves deliveries still pending in the one due partition that stores before the lanes kept
   * (`WEBHOOK-DUE`) into their endpoint's lane, looked at from `now` on, at most `limit` a call;
   * how many it moved. One an earlier driver holds is left until its claim lapses, and its
   * claim is dropped: that driver cannot record on it any more.
   */
  laneEarlierDeliveries(limit: number, now: Date): Promise<number>;
  /**
   * Takes the lane's lease for `holder` until `until` while its `lookAt` has come (at `now`) and
   * no other holder's lease runs; returns the lane as it is then, or null.
   */
  takeLane(
    lane: Pick<Lane, 'tenantId' | 'webhookId'>,
    holder: string,
    now: Date,
    until: Date,
  ): Promise<Lane | null>;
  /** The endpoint's pending deliveries, soonest due first (claimed ones too, due when their claim lapses). */
  laneDeliveries(tenantId: string, webhookId: string, limit: number): Promise<Delivery[]>;
  /**
   * Gives the lane's lease back, if `holder` still holds it: with no delivery pending the lane
   * leaves the index; otherwise its next look is `lookAt`, unless a writer since `taken` was read
   * set a sooner one. Returns the lane's next look then (null: it left the index, or the lease
   * was no longer `holder`'s).
   */
  releaseLane(taken: Lane, holder: string, lookAt: Date): Promise<string | null>;
  /** Takes a due delivery as it was read for `claim` until `until`; false when another sender took it. */
  claimDelivery(delivery: Delivery, claim: string, until: Date): Promise<boolean>;
  /**
   * Records an attempt made under `claim` (`after` is the delivery with it), one fewer pending on
   * its lane when it ends the delivery; false when the claim was lost.
   */
  settleAttempt(after: Delivery, claim: string): Promise<boolean>;
  /** Newest first. */
  listDeliveries(tenantId: string, webhookId: string, page: PageRequest): Promise<Page<Delivery>>;
}

/** One HTTP POST to a webhook. */
export interface OutgoingWebhook {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * How an attempt went: `status` when the receiver answered (only 2xx delivers), else `error`
 * (`forbidden-address` when the address connected to would have been an internal one: nothing
 * was sent).
 */
export interface SendOutcome {
  status: number | null;
  error: string | null;
}

/** The error of an attempt its caller cut off before it had an outcome (not an attempt at all). */
export const CUT_OFF = 'cut-off';

export interface WebhookSender {
  send(request: OutgoingWebhook, signal?: AbortSignal): Promise<SendOutcome>;
}
