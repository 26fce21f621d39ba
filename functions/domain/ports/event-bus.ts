import type { EventData } from '../audit.ts';

/** The vendor's event bus: where every deliverable event goes out. */
export interface EventBus {
  /**
   * Puts the events on the bus, in order, and says which it did not take (by index, with why)
   * so that only those are put again. `unreachable`: a call failed as a whole (after the SDK's
   * own retries), so retrying at once is pointless.
   */
  put(
    events: readonly EventData[],
  ): Promise<{ failed: { index: number; error: string }[]; unreachable: boolean }>;
}
