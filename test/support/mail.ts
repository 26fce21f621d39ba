export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text: string; html: string };
  at: number;
}

/** Emails the SES emulator accepted, optionally only those to one address. */
export async function emails(sesUrl: string, to?: string): Promise<StoredEmail[]> {
  const store = (await (await fetch(`${sesUrl}/store`)).json()) as { emails: StoredEmail[] };
  return store.emails.filter(
    (e) => !to || e.destination.to.some((t) => t.toLowerCase() === to.toLowerCase()),
  );
}

export async function until<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 10_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
