import type { DeliverableEventType } from '../domain/audit.ts';
import { DELIVERABLE_EVENT_TYPES } from '../domain/audit.ts';
import type { Clock } from '../domain/clock.ts';
import type { Locale } from '../domain/contact.ts';
import { NotFoundError } from '../domain/errors.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import type { IdGenerator, Log, PageRequest } from '../domain/ports.ts';
import type { RetryWakeUps } from '../domain/retry-wake-ups.ts';
import type { Delivery, WebhookStore } from '../domain/webhook-store.ts';
import {
  type AddressPolicy,
  auditedUrl,
  checkResolvedAddresses,
  checkWebhookUrl,
  hostToResolve,
  newWebhookSecret,
  publicWebhook,
  ROTATION_OVERLAP_MS,
  rotateSecret,
  type StoredWebhook,
  type WebhookFormat,
} from '../domain/webhooks.ts';
import { retryOnConflict } from './deps.ts';
import { newEvent } from './events.ts';
import { newDelivery, wakeDriverFor } from './webhook-delivery.ts';

export interface WebhookDeps {
  webhooks: WebhookStore;
  clock: Clock;
  ids: IdGenerator;
  log: Log;
  addressPolicy: AddressPolicy;
  /** Every address a host name resolves to (registration refuses a name with an internal one). */
  resolveHost: (host: string) => Promise<string[]>;
  /** Wakes the retry driver, which sends tests. */
  wakeUps: RetryWakeUps;
}

export interface AddWebhookInput {
  url: string;
  eventTypes?: DeliverableEventType[] | undefined;
  format?: WebhookFormat | undefined;
  locale?: Locale | undefined;
  description?: string | null | undefined;
}

export async function addWebhook(
  deps: WebhookDeps,
  tenantId: string,
  actor: string,
  input: AddWebhookInput,
  now: Date,
) {
  const format = input.format ?? 'standard';
  const url = checkWebhookUrl(input.url, format, deps.addressPolicy);
  const host = hostToResolve(url);
  if (host !== null) {
    let addresses: string[];
    try {
      addresses = await deps.resolveHost(host);
    } catch {
      addresses = [];
    }
    checkResolvedAddresses(addresses, deps.addressPolicy);
  }
  const description = input.description?.trim() || null;
  const webhook: StoredWebhook = {
    webhookId: deps.ids.next(now),
    tenantId,
    url: url.href,
    eventTypes: input.eventTypes
      ? DELIVERABLE_EVENT_TYPES.filter((type) => input.eventTypes?.includes(type))
      : [...DELIVERABLE_EVENT_TYPES],
    format,
    locale: input.locale ?? 'en',
    description,
    createdAt: now.toISOString(),
    createdBy: actor,
    secret: newWebhookSecret(),
    previousSecret: null,
    previousSecretUntil: null,
  };
  await deps.webhooks.addWebhook(
    webhook,
    newEvent(deps, now, tenantId, 'webhook.added', actor, null, {
      webhookId: webhook.webhookId,
      url: auditedUrl(webhook),
      eventTypes: webhook.eventTypes,
      format: webhook.format,
    }),
  );
  return { ...publicWebhook(webhook), secret: webhook.secret };
}

export async function listWebhooks(deps: Pick<WebhookDeps, 'webhooks'>, tenantId: string) {
  return { webhooks: (await deps.webhooks.listWebhooks(tenantId)).map(publicWebhook) };
}

async function webhookOf(deps: Pick<WebhookDeps, 'webhooks'>, tenantId: string, webhookId: string) {
  const webhook = ID_PATTERN.test(webhookId) ? await deps.webhooks.getWebhook(tenantId, webhookId) : null;
  if (!webhook) throw new NotFoundError('Webhook');
  return webhook;
}

/** Its pending retries stop: an attempt first reads the webhook, and finds none. */
export async function removeWebhook(
  deps: WebhookDeps,
  tenantId: string,
  webhookId: string,
  actor: string,
  now: Date,
): Promise<void> {
  await retryOnConflict(async () => {
    const webhook = await webhookOf(deps, tenantId, webhookId);
    await deps.webhooks.removeWebhook(
      webhook,
      newEvent(deps, now, tenantId, 'webhook.removed', actor, null, {
        webhookId,
        url: auditedUrl(webhook),
      }),
    );
  });
}

export async function rotateWebhookSecret(
  deps: WebhookDeps,
  tenantId: string,
  webhookId: string,
  actor: string,
  now: Date,
): Promise<{ secret: string }> {
  return retryOnConflict(async () => {
    const before = await webhookOf(deps, tenantId, webhookId);
    const after = rotateSecret(before, now);
    const previousSecretValidUntil = new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString();
    await deps.webhooks.replaceSecret(
      before,
      after,
      newEvent(deps, now, tenantId, 'webhook.secret-rotated', actor, null, {
        webhookId,
        previousSecretValidUntil,
      }),
    );
    return { secret: after.secret };
  });
}

/**
 * A `webhook.test` delivery to this webhook only, due at once (the retry driver sends it); one
 * pending at a time, so pressing "test" cannot queue up work for the driver. Pressed again while
 * the last test waits for a retry (the receiver was just fixed), it retries that test now.
 */
export async function testWebhook(deps: WebhookDeps, tenantId: string, webhookId: string, now: Date) {
  const webhook = await webhookOf(deps, tenantId, webhookId);
  return retryOnConflict(async () => {
    const test = newDelivery(
      webhook,
      deps.ids.next(now),
      'webhook.test',
      now.toISOString(),
      { tenantId, webhookId },
      now,
      null,
    );
    const eventId = await deps.webhooks.startTest(test);
    await wakeDriverFor(deps, now);
    return { eventId };
  });
}

export async function listDeliveries(
  deps: Pick<WebhookDeps, 'webhooks'>,
  tenantId: string,
  webhookId: string,
  page: PageRequest,
) {
  await webhookOf(deps, tenantId, webhookId);
  const result = await deps.webhooks.listDeliveries(tenantId, webhookId, page);
  return { deliveries: result.items.map(publicDelivery), nextCursor: result.nextCursor };
}

export function publicDelivery(d: Delivery) {
  return {
    eventId: d.eventId,
    type: d.type,
    status: d.status,
    attempts: d.attempts,
    lastAttemptAt: d.lastAttemptAt,
    nextAttemptAt: d.nextAttemptAt,
    responseStatus: d.responseStatus,
    error: d.error,
  };
}
