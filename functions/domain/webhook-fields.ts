/**
 * The limits of a webhook's fields, apart from the address rules of webhooks.ts: the request
 * schemas of every API function read them, and only the webhook functions need the IP parser.
 */
export const WEBHOOK_URL_MAX = 2000;
export const WEBHOOK_DESCRIPTION_MAX = 200;
export const WEBHOOK_FORMATS = ['standard', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];
