/**
 * Polls `probe` until `ok` holds and returns that value; throws when `timeoutMs` passes first,
 * naming what was awaited and the last value seen. Tests wait for what they can observe, never
 * for a fixed time.
 */
export async function until<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 10_000,
  what = 'the awaited condition',
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) {
      const seen = JSON.stringify(value)?.slice(0, 500);
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * How long a test waits for the mails sent when a grant ends: they go out once the audit chain
 * has sealed the end event (events settle 20 s first; the contract allows a minute), plus room
 * for a busy machine.
 */
export const END_MAIL_WAIT_MS = 90_000;
