import type { AuditEvent } from '../../functions/domain/audit.ts';
import type { Principal } from '../../functions/domain/authorization.ts';
import type { Contact } from '../../functions/domain/contact.ts';
import type { SchedulingDeps } from '../../functions/use-cases/deps.ts';
import type { SignedIn } from '../../functions/use-cases/links.ts';
import { notifyContacts } from '../../functions/use-cases/notify.ts';
import { listAudit } from '../../functions/use-cases/support.ts';
import type { FakeClock } from './clock.ts';
import { notifyDepsFor, RecordingMailer, seedContact, type TestStores } from './use-case-deps.ts';

/**
 * Arrange steps the use-case tests share, whether they run over the in-memory stores or over
 * DynamoDB Local (`t` comes from `fakeDeps()`/`testDeps()` or their `givenActiveGrant`).
 */
type Given = { deps: SchedulingDeps; clock: FakeClock; stores: TestStores };

/** Seconds in a day. */
export const DAY = 86_400;

export const DELETE = {
  kind: 'account-deletion' as const,
  details: 'Please delete our account and all data.',
};

/** A use case's outcome: 'ok' or the code of the error it was refused with. */
export const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (error: { code?: string }) => error.code ?? String(error),
  );

/**
 * Tenant acme with Ada and Bob, who may both instruct, and Cy, who may not, all registered at
 * the clock's time (a minute before 10:00), then the clock at 10:00, when the tests make their
 * requests.
 */
export async function withInstructingContacts<T extends Given>(
  t: T,
  options: { bobInstructs?: boolean } = {},
) {
  const ada = await seedContact(t.deps, 'acme', 'ada@acme.test', { locale: 'en' });
  const bob = await seedContact(t.deps, 'acme', 'bob@acme.test', {
    canInstruct: options.bobInstructs ?? true,
  });
  const cy = await seedContact(t.deps, 'acme', 'cy@acme.test', { canInstruct: false });
  t.clock.set('2026-12-01T10:00:00.000Z');
  return { ...t, ada, bob, cy };
}

/** The links in a mail's text, by label: `End access now: https://…/act#<token>`. */
export function linksIn(text: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [, label, token] of text.matchAll(/^(.+): https:\/\/console\.example\/act#([A-Za-z0-9_-]+)$/gm))
    found[label as string] = token as string;
  return found;
}

/**
 * The grant given, mailed to Ada (de, may grant), Bob (en, may grant) and Cy (may not grant);
 * Bob is added here, in place of any second contact `t` came with.
 */
export async function mailed<T extends Given>({ bob: _, ...t }: T & { bob?: Contact | undefined }) {
  const bob = await seedContact(t.deps, 'acme', 'bob@acme.test', {
    locale: 'en',
    timeZone: 'America/New_York',
  });
  const cy = await seedContact(t.deps, 'acme', 'cy@acme.test', { canGrantAccess: false, locale: 'en' });
  const mailer = new RecordingMailer();
  const notify = notifyDepsFor(t, mailer);
  const events = async () => (await listAudit(t.deps, 'acme', { limit: 100 })).items;
  const created = (await events()).find((e) => e.type === 'grant.created') as AuditEvent;
  await notifyContacts(notify, created);
  const mailTo = (email: string) => mailer.sent.find((m) => m.to === email)?.text ?? '';
  return { ...t, bob, cy, mailer, notify, events, mailTo };
}

/** No bearer token with the request. */
export const nobody: SignedIn = async () => null;
/** The request's bearer token, verified, says this. */
export const as =
  (email: string, more: Partial<Principal> = {}): SignedIn =>
  async () => ({ sub: `sub|${email}`, email, tenantId: 'acme', roles: [], emailVerified: true, ...more });

export async function expiringEvents(deps: Parameters<typeof listAudit>[0], tenantId = 'acme') {
  return (await listAudit(deps, tenantId, { limit: 100 })).items.filter((e) => e.type === 'grant.expiring');
}
