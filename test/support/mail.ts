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
