import type { EventData } from '../domain/audit.ts';
import type { EventBus, Log } from '../domain/ports.ts';

/** How often entries the bus refused (`FailedEntryCount`) are put again before they are given back. */
export const ENTRY_RETRIES = 2;

export interface PublishResult {
  published: number;
  /** Indices of the events not on the bus: the caller hands them back to be delivered again. */
  notPublished: number[];
}

/**
 * Puts events on the vendor's bus at least once. Entries the bus refused one by one are put
 * again (only those); what still failed, or everything after an outage, is returned so that the
 * stream delivers it again — never dropped. A duplicate is harmless: receivers dedupe on eventId.
 */
export async function publishEvents(
  deps: { bus: EventBus; log: Log },
  events: readonly EventData[],
): Promise<PublishResult> {
  let pending = events.map((event, index) => ({ event, index }));
  for (let attempt = 0; pending.length > 0 && attempt <= ENTRY_RETRIES; attempt++) {
    const { failed, unreachable } = await deps.bus.put(pending.map((p) => p.event));
    const failedIndices = new Set(failed.map((f) => f.index));
    if (failed.length > 0)
      deps.log.warn('Events not taken by the bus', {
        attempt: attempt + 1,
        failed: failed.length,
        errors: [...new Set(failed.map((f) => f.error))],
        unreachable,
      });
    pending = pending.filter((_, i) => failedIndices.has(i));
    if (unreachable) break;
  }
  const notPublished = pending.map((p) => p.index);
  return { published: events.length - notPublished.length, notPublished };
}
