import ipaddr from 'ipaddr.js';
import type { DeliverableEventType } from './audit.ts';
import type { Locale } from './contact.ts';
import { ValidationError } from './errors.ts';
import {
  WEBHOOK_DESCRIPTION_MAX,
  WEBHOOK_FORMATS,
  WEBHOOK_URL_MAX,
  type WebhookFormat,
} from './webhook-fields.ts';

/**
 * Customer webhooks: where deliveries may go, their secrets and their retry schedule. Plain
 * rules, no I/O: the HTTP sender and the registration both ask `forbiddenAddress` about every
 * address they are about to use, so a name that resolves (or later rebinds) to an internal
 * address is refused at registration and at every delivery alike.
 */

export const WEBHOOKS_MAX = 10;
export { WEBHOOK_DESCRIPTION_MAX, WEBHOOK_FORMATS, WEBHOOK_URL_MAX, type WebhookFormat };
export const SLACK_HOST = 'hooks.slack.com';

/** After a rotation every delivery is signed with both secrets for this long. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

/** Waits before attempts 2–8 (about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); after the 8th: failed. */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/** An attempt that gets no 2xx within this long counts as failed. */
export const ATTEMPT_TIMEOUT_MS = 10_000;

export interface Webhook {
  webhookId: string;
  tenantId: string;
  url: string;
  eventTypes: DeliverableEventType[];
  format: WebhookFormat;
  locale: Locale;
  description: string | null;
  createdAt: string;
  createdBy: string;
}

/** A webhook with what signs its deliveries: never in a response but the two that return it. */
export interface StoredWebhook extends Webhook {
  secret: string;
  /** The secret before the last rotation, still signing until `previousSecretUntil`. */
  previousSecret: string | null;
  previousSecretUntil: string | null;
  /** The one before that, while it still signs: two rotations in a day drop no secret a receiver may hold. */
  earlierSecret?: string | null;
  earlierSecretUntil?: string | null;
  /** Set when an attempt to it failed or ran past the stream's budget: until then it gets no first attempt from the stream. */
  failingUntil?: string | null;
}

/** A webhook as the API shows it: without its secrets. */
export function publicWebhook(webhook: Webhook): Omit<Webhook, 'tenantId'> {
  return {
    webhookId: webhook.webhookId,
    url: webhook.url,
    eventTypes: webhook.eventTypes,
    format: webhook.format,
    locale: webhook.locale,
    description: webhook.description,
    createdAt: webhook.createdAt,
    createdBy: webhook.createdBy,
  };
}

/** `whsec_` and the base64 of 32 random bytes, as the Standard Webhooks libraries take it. */
export function newWebhookSecret(): string {
  // Web Crypto and btoa: this module is also read where the console's types come from (no Node there).
  return `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
}

/** The secrets a delivery made at `now` is signed with: the current one, and the previous for 24 h. */
const stillSigning = (secret: string | null | undefined, until: string | null | undefined, now: Date) =>
  secret != null && until != null && now.getTime() < Date.parse(until);

/** The current secret, and each replaced one for 24 h after it was replaced (at most two of them). */
export function signingSecrets(webhook: StoredWebhook, now: Date): string[] {
  return [
    webhook.secret,
    ...(stillSigning(webhook.previousSecret, webhook.previousSecretUntil, now)
      ? [webhook.previousSecret as string]
      : []),
    ...(stillSigning(webhook.earlierSecret, webhook.earlierSecretUntil, now)
      ? [webhook.earlierSecret as string]
      : []),
  ];
}

/**
 * A new secret; the current one signs on for 24 h, and so does the previous one if it still
 * signs (its 24 h unchanged). A third rotation within a day drops the oldest of the three.
 */
export function rotateSecret(webhook: StoredWebhook, now: Date): StoredWebhook {
  const keep = stillSigning(webhook.previousSecret, webhook.previousSecretUntil, now);
  return {
    ...webhook,
    secret: newWebhookSecret(),
    previousSecret: webhook.secret,
    previousSecretUntil: new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString(),
    earlierSecret: keep ? webhook.previousSecret : null,
    earlierSecretUntil: keep ? webhook.previousSecretUntil : null,
  };
}

/** When the attempt after `attempts` made ones is due, or null when that was the last. */
export function nextAttemptAt(attempts: number, lastAttemptAt: Date): Date | null {
  const delay = RETRY_DELAYS_SECONDS[attempts - 1];
  return delay === undefined ? null : new Date(lastAttemptAt.getTime() + delay * 1000);
}

export interface AddressPolicy {
  /** Only the local runtime: loopback receivers (`http://127.0.0.1:<port>/`) are allowed. */
  allowLoopback: boolean;
}

/**
 * Why an address may not be connected to (null: it may). Only globally routable unicast is
 * allowed: loopback (unless the local runtime allows it), RFC 1918, 100.64/10, link-local (the
 * cloud metadata service), unique-local, multicast, unspecified, documentation and other
 * reserved ranges are refused; an IPv4-mapped IPv6 address is judged as its IPv4 address, and
 * IPv6 forms that embed an IPv4 address some other way (NAT64, 6to4, Teredo) are refused.
 */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

export function forbiddenAddress(address: string, policy: AddressPolicy): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  // ipaddr.js calls all of ::/96 (IPv4-compatible, e.g. ::a9fe:a9fe = 169.254.169.254) and other
  // unassigned IPv6 "unicast": only the global unicast block 2000::/3 is reachable on the internet.
  if (range === 'unicast' && parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6)) return 'reserved';
  if (range === 'unicast') return null;
  if (range === 'loopback' && policy.allowLoopback) return null;
  return range;
}

export function isIpAddress(host: string): boolean {
  return ipaddr.isValid(host);
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost']);

/**
 * The URL a webhook may be registered with, or a ValidationError naming `url`. The host is
 * checked as written here (IP literals in every form the URL parser accepts, decimal and octal
 * included, end up as canonical addresses); names are resolved and checked by the caller.
 */
export function checkWebhookUrl(raw: string, format: WebhookFormat, policy: AddressPolicy): URL {
  const refuse = (message: string) => ValidationError.field('url', message);
  if (raw.length > WEBHOOK_URL_MAX) throw refuse(`url must be at most ${WEBHOOK_URL_MAX} characters.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('url must be an absolute https URL.');
  }
  if (url.username !== '' || url.password !== '') throw refuse('url must not carry user info.');
  const host = url.hostname.toLowerCase();
  const loopbackName = policy.allowLoopback && LOOPBACK_NAMES.has(host);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackName))
    throw refuse('url must use https.');
  if (format === 'slack' && host !== SLACK_HOST && !loopbackName)
    throw refuse(`A slack webhook's url must be on ${SLACK_HOST}.`);
  if (host === '' || host.endsWith('.localhost') || (host === 'localhost' && !loopbackName))
    throw refuse('url must name a public host.');
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  if (ipaddr.isValid(literal)) {
    const why = forbiddenAddress(literal, policy);
    if (why) throw refuse(`url points at a ${why} address, which webhooks may not reach.`);
  }
  return url;
}

/** The host to resolve, or null when the URL names an address (already checked). */
export function hostToResolve(url: URL): string | null {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (ipaddr.isValid(host)) return null;
  return host;
}

/** The addresses a name resolved to, judged: the first forbidden one refuses the URL. */
export function checkResolvedAddresses(addresses: readonly string[], policy: AddressPolicy): void {
  if (addresses.length === 0) throw ValidationError.field('url', 'url names a host that does not resolve.');
  for (const address of addresses) {
    const why = forbiddenAddress(address, policy);
    if (why)
      throw ValidationError.field('url', `url resolves to a ${why} address, which webhooks may not reach.`);
  }
}

/**
 * What the audit log, the vendor's bus and the tenant's other webhooks learn of a URL: its scheme
 * and host only. A Slack URL is its channel's credential, and many collectors carry theirs in the
 * path or the query (an API key, a token): none of that leaves the webhook's own item.
 */
export function auditedUrl(webhook: Pick<Webhook, 'url'>): string {
  const url = new URL(webhook.url);
  return `${url.protocol}//${url.host}/…`;
}
