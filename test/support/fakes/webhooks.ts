import {
  ConcurrentModificationError,
  WebhookLimitReachedError,
  WebhookTestPendingError,
} from '../../../functions/domain/errors.ts';
import type { Delivery, WebhookStore } from '../../../functions/domain/webhook-store.ts';
import { type StoredWebhook, WEBHOOKS_MAX } from '../../../functions/domain/webhooks.ts';
import { World } from './world.ts';

const webhookKey = (w: Pick<StoredWebhook, 'tenantId' | 'webhookId'>) => `${w.tenantId}#${w.webhookId}`;
const deliveryKey = (d: Pick<Delivery, 'tenantId' | 'webhookId' | 'eventId'>) =>
  `${d.tenantId}#${d.webhookId}#${d.eventId}`;
/** The order of the due index: by when, then by whose. */
const dueOrder = (d: Delivery) => `${d.dueAt}#${d.tenantId}#${d.webhookId}#${d.eventId}`;

/**
 * Webhooks and their deliveries in memory, as DynamoWebhooks keeps them on the table: every
 * write checks and changes in one synchronous step, like its conditions. The audit events of
 * webhook changes are not kept (the DynamoDB store's tests cover them).
 */
export class FakeWebhooks implements WebhookStore {
  readonly webhooks = new Map<string, StoredWebhook>();
  readonly deliveries = new Map<string, Delivery>();
  private readonly tests = new Map<string, string>();
  private readonly held = new Map<string, string>();
  /** How many reads of due deliveries were made (each page one). */
  dueReads = 0;

  constructor(private readonly world = new World()) {}

  addWebhook: WebhookStore['addWebhook'] = async (webhook) => {
    if ([...this.webhooks.values()].filter((w) => w.tenantId === webhook.tenantId).length >= WEBHOOKS_MAX)
      throw new WebhookLimitReachedError(WEBHOOKS_MAX);
    this.webhooks.set(webhookKey(webhook), structuredClone(webhook));
  };

  getWebhook: WebhookStore['getWebhook'] = async (tenantId, webhookId) =>
    structuredClone(this.webhooks.get(webhookKey({ tenantId, webhookId })) ?? null);

  listWebhooks: WebhookStore['listWebhooks'] = async (tenantId) =>
    [...this.webhooks.values()]
      .filter((w) => w.tenantId === tenantId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((w) => structuredClone(w));

  removeWebhook: WebhookStore['removeWebhook'] = async (webhook) => {
    if (!this.webhooks.delete(webhookKey(webhook))) throw new ConcurrentModificationError();
  };

  tenantHeldUntil: WebhookStore['tenantHeldUntil'] = async (tenantId) => this.held.get(tenantId) ?? null;

  holdTenant: WebhookStore['holdTenant'] = async (tenantId, until) => {
    if ((this.held.get(tenantId) ?? '') < until) this.held.set(tenantId, until);
  };

  replaceSecret: WebhookStore['replaceSecret'] = async (before, after) => {
    const webhook = this.webhooks.get(webhookKey(before));
    if (webhook?.secret !== before.secret) throw new ConcurrentModificationError();
    const { secret, previousSecret, previousSecretUntil, earlierSecret, earlierSecretUntil } = after;
    Object.assign(webhook, {
      secret,
      previousSecret,
      previousSecretUntil,
      earlierSecret,
      earlierSecretUntil,
    });
  };

  markFailing: WebhookStore['markFailing'] = async (tenantId, webhookId, until) => {
    const webhook = this.webhooks.get(webhookKey({ tenantId, webhookId }));
    if (webhook) webhook.failingUntil = until;
  };

  writeDeliveries: WebhookStore['writeDeliveries'] = async (deliveries) => {
    const fresh = deliveries.filter((d) => !this.deliveries.has(deliveryKey(d)));
    for (const d of fresh) this.deliveries.set(deliveryKey(d), structuredClone(d));
    return fresh;
  };

  startTest: WebhookStore['startTest'] = async (delivery) => {
    const key = webhookKey(delivery);
    const latest = this.tests.get(key);
    const previous = latest ? this.deliveries.get(deliveryKey({ ...delivery, eventId: latest })) : undefined;
    if (previous?.status === 'pending') {
      const now = delivery.dueAt as string;
      const waiting = previous.claim === null && previous.dueAt !== null && previous.dueAt > now;
      if (!waiting) throw new WebhookTestPendingError();
      previous.dueAt = now;
      previous.nextAttemptAt = now;
      return previous.eventId;
    }
    this.deliveries.set(deliveryKey(delivery), structuredClone(delivery));
    this.tests.set(key, delivery.eventId);
    return delivery.eventId;
  };

  dueDeliveries: WebhookStore['dueDeliveries'] = async (now, limit, after) => {
    this.dueReads++;
    return [...this.deliveries.values()]
      .filter((d) => d.dueAt !== null && d.dueAt <= now.toISOString())
      .filter((d) => !after || dueOrder(d) > dueOrder(after))
      .sort((a, b) => dueOrder(a).localeCompare(dueOrder(b)))
      .slice(0, limit)
      .map((d) => structuredClone(d));
  };

  claimDelivery: WebhookStore['claimDelivery'] = async (delivery, claim, until) => {
    const stored = this.deliveries.get(deliveryKey(delivery));
    if (
      !stored ||
      stored.dueAt !== delivery.dueAt ||
      stored.attempts !== delivery.attempts ||
      stored.status !== 'pending'
    )
      return false;
    stored.claim = claim;
    stored.dueAt = until.toISOString();
    return true;
  };

  releaseDelivery: WebhookStore['releaseDelivery'] = async (delivery, claim, dueAt) => {
    const stored = this.deliveries.get(deliveryKey(delivery));
    if (!stored || stored.claim !== claim) return false;
    stored.claim = null;
    stored.dueAt = dueAt.toISOString();
    return true;
  };

  settleAttempt: WebhookStore['settleAttempt'] = async (after, claim) => {
    const stored = this.deliveries.get(deliveryKey(after));
    if (!stored || stored.claim !== claim) return false;
    this.deliveries.set(deliveryKey(after), { ...structuredClone(after), claim: null });
    return true;
  };

  listDeliveries: WebhookStore['listDeliveries'] = async (tenantId, webhookId, page) =>
    this.world.page(
      `deliveries#${tenantId}#${webhookId}`,
      [...this.deliveries.values()]
        .filter((d) => d.tenantId === tenantId && d.webhookId === webhookId)
        .sort((a, b) => b.eventId.localeCompare(a.eventId))
        .map((d) => ({ key: d.eventId, value: d })),
      page,
      'desc',
    );
}
