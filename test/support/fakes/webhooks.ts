import type { AuditEvent } from '../../../functions/domain/audit.ts';
import { WebhookTestPendingError } from '../../../functions/domain/errors.ts';
import type { Page, PageRequest } from '../../../functions/domain/ports.ts';
import type { Delivery, WebhookStore } from '../../../functions/domain/webhook-store.ts';
import type { StoredWebhook } from '../../../functions/domain/webhooks.ts';

const key = (d: Pick<Delivery, 'tenantId' | 'webhookId' | 'eventId'>) =>
  `${d.tenantId}#${d.webhookId}#${d.eventId}`;
const webhookKey = (tenantId: string, webhookId: string) => `${tenantId}#${webhookId}`;

/**
 * Webhooks and deliveries in memory, with the conditions of the DynamoDB store (claims, one
 * pending test) but no transactions or audit events: for the delivery use cases over a fake clock.
 */
export class FakeWebhooks implements WebhookStore {
  readonly webhooks = new Map<string, StoredWebhook>();
  readonly deliveries = new Map<string, Delivery>();
  /** How many reads of due deliveries were made (each page one). */
  dueReads = 0;

  async addWebhook(webhook: StoredWebhook, _event?: AuditEvent): Promise<void> {
    this.webhooks.set(webhookKey(webhook.tenantId, webhook.webhookId), structuredClone(webhook));
  }
  async getWebhook(tenantId: string, webhookId: string): Promise<StoredWebhook | null> {
    return structuredClone(this.webhooks.get(webhookKey(tenantId, webhookId)) ?? null);
  }
  async listWebhooks(tenantId: string): Promise<StoredWebhook[]> {
    return [...this.webhooks.values()].filter((w) => w.tenantId === tenantId).map((w) => structuredClone(w));
  }
  async removeWebhook(webhook: StoredWebhook): Promise<void> {
    this.webhooks.delete(webhookKey(webhook.tenantId, webhook.webhookId));
  }
  async replaceSecret(_before: StoredWebhook, after: StoredWebhook): Promise<void> {
    this.webhooks.set(webhookKey(after.tenantId, after.webhookId), structuredClone(after));
  }
  async markFailing(tenantId: string, webhookId: string, until: string | null): Promise<void> {
    const webhook = this.webhooks.get(webhookKey(tenantId, webhookId));
    if (webhook) webhook.failingUntil = until;
  }
  async startDeliveries(deliveries: readonly Delivery[]): Promise<Delivery[]> {
    const written = deliveries.filter((d) => !this.deliveries.has(key(d)));
    for (const d of written) this.deliveries.set(key(d), structuredClone(d));
    return written;
  }
  async startTest(delivery: Delivery): Promise<string> {
    const pending = [...this.deliveries.values()].find(
      (d) => d.type === 'webhook.test' && d.webhookId === delivery.webhookId && d.status === 'pending',
    );
    if (pending) throw new WebhookTestPendingError();
    this.deliveries.set(key(delivery), structuredClone(delivery));
    return delivery.eventId;
  }
  async dueDeliveries(now: Date, limit: number, after?: Delivery): Promise<Delivery[]> {
    this.dueReads++;
    const order = (d: Delivery) => `${d.dueAt}#${key(d)}`;
    const due = [...this.deliveries.values()]
      .filter((d) => d.dueAt !== null && d.dueAt <= now.toISOString())
      .filter((d) => !after || order(d) > order(after))
      .sort((a, b) => order(a).localeCompare(order(b)));
    return due.slice(0, limit).map((d) => structuredClone(d));
  }
  async claimDelivery(delivery: Delivery, claim: string, until: Date): Promise<boolean> {
    const current = this.deliveries.get(key(delivery));
    if (
      current?.status !== 'pending' ||
      current.dueAt !== delivery.dueAt ||
      current.attempts !== delivery.attempts
    )
      return false;
    Object.assign(current, { claim, dueAt: until.toISOString() });
    return true;
  }
  async releaseDelivery(delivery: Delivery, claim: string, dueAt: Date): Promise<boolean> {
    const current = this.deliveries.get(key(delivery));
    if (current?.claim !== claim) return false;
    Object.assign(current, { claim: null, dueAt: dueAt.toISOString() });
    return true;
  }
  async settleAttempt(after: Delivery, claim: string): Promise<boolean> {
    const current = this.deliveries.get(key(after));
    if (current?.claim !== claim) return false;
    this.deliveries.set(key(after), { ...structuredClone(after), claim: null });
    return true;
  }
  async listDeliveries(tenantId: string, webhookId: string, page: PageRequest): Promise<Page<Delivery>> {
    const items = [...this.deliveries.values()]
      .filter((d) => d.tenantId === tenantId && d.webhookId === webhookId)
      .sort((a, b) => b.eventId.localeCompare(a.eventId))
      .slice(0, page.limit)
      .map((d) => structuredClone(d));
    return { items, nextCursor: null };
  }
}
