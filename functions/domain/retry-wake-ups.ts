/**
 * Wakes the webhook retry driver for one look at the deliveries due. Asking twice for about the
 * same moment wakes it once; a wake-up may come late, never lost for long: a look every minute
 * backs them all up.
 */
export interface RetryWakeUps {
  /** One look at `at` or shortly after. */
  wakeAt(at: Date): Promise<void>;
}
