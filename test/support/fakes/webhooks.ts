import {
  ConcurrentModificationError,
  WebhookLimitReachedError,
  WebhookTestPendingError,
} from '../../../functions/domain/errors.ts';
import type { Delivery, Lane, WebhookStore } from '../../../functions/domain/webhook-store.ts';
import { type StoredWebhook, WEBHOOKS_MAX } from '../../../functions/domain/webhooks.ts';
import { World } from './world.ts';

const webhookKey = (w: Pick<StoredWebhook, 'tenantId' | 'webhookId'>) => `${w.tenantId}#${w.webhookId}`;
const deliveryKey = (d: Pick<Delivery, 'tenantId' | 'webhookId' | 'eventId'>) =>
  `${d.tenantId}#${d.webhookId}#${d.eventId}`;
/** The order of an endpoint's due index: by when, then by which. */
const dueOrder = (d: Delivery) => `${d.dueAt}#${d.eventId}`;

/**
 * Webhooks and their deliveries in memory, as DynamoWebhooks keeps them on the table: every
 * write checks and changes in one synchronous step, like its conditions. The audit events of
 * webhook changes are not kept (the DynamoDB store's tests cover them).
 */
export class FakeWebhooks implements WebhookStore {
  readonly webhooks = new Map<string, StoredWebhook>();
  readonly deliveries = new Map<string, Delivery>();
  readonly lanes = new Map<string, Lane>();
  private readonly tests = new Map<string, string>();
  private readonly held = new Map<string, string>();
  private readonly slow = new Map<string, string>();
  /** How many reads of lanes to look at were made. */
  laneReads = 0;
  /** How many reads of an endpoint's deliveries were made. */
  dueReads = 0;

  /** The fake never kept deliveries without lanes. */
  laneEarlierDeliveries: WebhookStore['laneEarlierDeliveries'] = async () => 0;

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

  noteSlowEndpoint: WebhookStore['noteSlowEndpoint'] = async (tenantId, at) => {
    const before = this.slow.get(tenantId) ?? null;
    this.slow.set(tenantId, at);
    return before;
  };

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
    const added = new Map<string, { of: Delivery; count: number; soonest: string }>();
    for (const d of fresh) {
      this.deliveries.set(deliveryKey(d), structuredClone(d));
      if (d.status !== 'pending' || !d.dueAt) continue;
      const seen = added.get(webhookKey(d)) ?? { of: d, count: 0, soonest: d.dueAt };
      added.set(webhookKey(d), {
        ...seen,
        count: seen.count + 1,
        soonest: [d.dueAt, seen.soonest].sort()[0] as string,
      });
    }
    for (const { of, count, soonest } of added.values()) this.laneAdds(of, count, soonest);
    return fresh;
  };

  /** As the table's upsert, with no condition: the next look is the writer's, sooner or not. */
  private laneAdds(of: Pick<Delivery, 'tenantId' | 'webhookId'>, added: number, lookAt: string) {
    const key = webhookKey(of);
    const lane = this.lanes.get(key) ?? {
      tenantId: of.tenantId,
      webhookId: of.webhookId,
      pending: 0,
      version: 0,
      lookAt: null,
      leaseHolder: null,
      leaseUntil: null,
    };
    this.lanes.set(key, { ...lane, pending: lane.pending + added, version: lane.version + 1, lookAt });
  }

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
      this.laneAdds(previous, 0, now);
      return previous.eventId;
    }
    this.deliveries.set(deliveryKey(delivery), structuredClone(delivery));
    this.laneAdds(delivery, 1, delivery.dueAt as string);
    this.tests.set(key, delivery.eventId);
    return delivery.eventId;
  };

  lanesToLook: WebhookStore['lanesToLook'] = async (before) => {
    this.laneReads++;
    return (
      [...this.lanes.values()]
        // In the index while it has a `lookAt`: from the first write that adds one until a look finds none pending.
        .filter((l) => l.lookAt !== null && l.lookAt <= before.toISOString())
        .sort((a, b) => (a.lookAt as string).localeCompare(b.lookAt as string))
        .map((l) => structuredClone(l))
    );
  };

  takeLane: WebhookStore['takeLane'] = async (of, holder, now, until) => {
    const lane = this.lanes.get(webhookKey(of));
    const at = now.toISOString();
    if (
      !lane ||
      lane.lookAt === null ||
      lane.lookAt > at ||
      (lane.leaseUntil !== null && lane.leaseUntil >= at)
    )
      return null;
    lane.leaseHolder = holder;
    lane.leaseUntil = until.toISOString();
    return structuredClone(lane);
  };

  laneDeliveries: WebhookStore['laneDeliveries'] = async (tenantId, webhookId, limit) => {
    this.dueReads++;
    return [...this.deliveries.values()]
      .filter((d) => d.tenantId === tenantId && d.webhookId === webhookId && d.dueAt !== null)
      .sort((a, b) => dueOrder(a).localeCompare(dueOrder(b)))
      .slice(0, limit)
      .map((d) => structuredClone(d));
  };

  releaseLane: WebhookStore['releaseLane'] = async (taken, holder, lookAt) => {
    const lane = this.lanes.get(webhookKey(taken));
    if (!lane || lane.leaseHolder !== holder) return null;
    const at = lookAt.toISOString();
    const next =
      lane.pending <= 0
        ? null
        : lane.version === taken.version || (lane.lookAt !== null && lane.lookAt > at)
          ? at
          : lane.lookAt;
    this.lanes.set(webhookKey(taken), { ...lane, lookAt: next, leaseHolder: null, leaseUntil: null });
    return next;
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

  settleAttempt: WebhookStore['settleAttempt'] = async (after, claim) => {
    const stored = this.deliveries.get(deliveryKey(after));
    if (!stored || stored.claim !== claim) return false;
    this.deliveries.set(deliveryKey(after), { ...structuredClone(after), claim: null });
    const lane = this.lanes.get(webhookKey(after));
    if (after.status !== 'pending' && lane) lane.pending--;
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
