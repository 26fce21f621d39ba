import type { EventData } from './audit.ts';
import type { Locale } from './contact.ts';
import { describeEvent } from './sentences.ts';
import type { Delivery } from './webhook-store.ts';

const TEST: Record<Locale, string> = {
  en: 'a test message from support access: this webhook works.',
  de: 'eine Testnachricht von Supportzugriff: dieser Webhook funktioniert.',
};

/**
 * The one sentence a Slack webhook posts per event, in the webhook's language: the console's
 * audit sentence in its Slack form (tenant first, the grant's reason, times in UTC, what people
 * typed escaped so it cannot link or mention). Never a link.
 */
export function slackText(delivery: Pick<Delivery, 'type' | 'data' | 'tenantId'>, locale: Locale): string {
  if (delivery.type === 'webhook.test') return `${delivery.tenantId}: ${TEST[locale]}`;
  return describeEvent(delivery.data as unknown as EventData, locale, { mode: 'slack' });
}
