import { describeEvent } from '../../../functions/domain/sentences.ts';
import type { AuditEvent } from '../api.ts';
import { formatTime } from '../format.ts';
import type { Page } from '../page.ts';

/**
 * An audit event as a sentence in the reader's language ("Anna Schmidt extended access until …"),
 * in the reader's time zone: the same sentences the Slack webhooks send.
 */
export function describe(
  event: AuditEvent,
  names: Map<string, string>,
  { language }: Pick<Page, 'language'>,
): string {
  return describeEvent(event, language, { names, formatTime: (iso) => formatTime(iso, language).text });
}
