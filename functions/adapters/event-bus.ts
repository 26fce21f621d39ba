import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventData } from '../domain/audit.ts';
import type { EventBus } from '../domain/ports.ts';

/** Where the events come from, for the rules that match them. */
export const EVENT_SOURCE = 'support-access';

/** PutEvents takes at most 10 entries a call. */
const ENTRIES_PER_CALL = 10;

/** The event as PutEvents takes it: the type is the detail-type, the EventData the detail. */
export function busEntry(event: EventData, busName: string) {
  return {
    EventBusName: busName,
    Source: EVENT_SOURCE,
    DetailType: event.type,
    Detail: JSON.stringify(event),
    Time: new Date(event.at),
  };
}

/** The vendor's EventBridge bus. */
export class EventBridgeBus implements EventBus {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async put(events: readonly EventData[]) {
    const failed: { index: number; error: string }[] = [];
    for (let start = 0; start < events.length; start += ENTRIES_PER_CALL) {
      const chunk = events.slice(start, start + ENTRIES_PER_CALL);
      try {
        const response = await this.client.send(
          new PutEventsCommand({ Entries: chunk.map((event) => busEntry(event, this.busName)) }),
        );
        if (!response.FailedEntryCount) continue;
        chunk.forEach((_, i) => {
          const entry = response.Entries?.[i];
          // An answer without a result for an entry proves nothing was taken: put it again.
          if (!entry?.EventId || entry.ErrorCode)
            failed.push({
              index: start + i,
              error: `${entry?.ErrorCode ?? 'NoResult'}: ${entry?.ErrorMessage ?? ''}`,
            });
        });
      } catch (error) {
        // The bus did not answer: this call's events and every later one are not taken.
        for (let i = start; i < events.length; i++)
          failed.push({ index: i, error: `${(error as Error).name}: ${(error as Error).message}` });
        return { failed, unreachable: true };
      }
    }
    return { failed, unreachable: false };
  }
}
