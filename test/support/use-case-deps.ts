import { randomBytes } from 'node:crypto';
import { CursorCodec } from '../../functions/adapters/dynamodb/cursor.ts';
import type { Clock } from '../../functions/domain/clock.ts';
import type { Contact } from '../../functions/domain/contact.ts';
import { DEFAULT_POLICY } from '../../functions/domain/grant.ts';
import { ulidGenerator } from '../../functions/domain/ids.ts';
import type {
  GrantScheduler,
  Log,
  Mailer,
  NotificationLedger,
  OutgoingEmail,
  ScheduledExpiry,
} from '../../functions/domain/ports.ts';
import { addContact } from '../../functions/use-cases/contacts.ts';
import type { Basics, Needs, SchedulingDeps, Stores } from '../../functions/use-cases/deps.ts';
import { createGrant } from '../../functions/use-cases/grants.ts';
import type { NotifyDeps } from '../../functions/use-cases/notify.ts';
import type { FakeClock } from './clock.ts';

/**
 * The use cases' dependencies for tests and the benchmarks, with recording fakes where AWS would
 * be. Nothing here needs vitest, so `npm run bench` uses it too.
 */

/** A cursor codec with a fresh random secret. */
export function testCursors(): CursorCodec {
  return new CursorCodec(randomBytes(32).toString('base64url'));
}

/** Records what the use cases ask of the Scheduler. */
export class RecordingScheduler implements GrantScheduler {
  readonly calls: {
    action: 'schedule' | 'reschedule' | 'unschedule';
    grantId: string;
    expiresAt?: string;
    remindAt?: string | null;
  }[] = [];
  failWith: Error | null = null;

  async schedule(expiry: ScheduledExpiry) {
    this.record('schedule', expiry.grantId, expiry.expiresAt, expiry.remindAt);
  }
  async reschedule(expiry: ScheduledExpiry) {
    this.record('reschedule', expiry.grantId, expiry.expiresAt, expiry.remindAt);
  }
  async unschedule(grant: { grantId: string }) {
    this.record('unschedule', grant.grantId);
  }
  readonly lapses: { action: 'schedule' | 'unschedule'; instructionId: string; confirmBy?: string }[] = [];
  async scheduleLapse(i: { instructionId: string; confirmBy: string }) {
    if (this.failWith) throw this.failWith;
    this.lapses.push({ action: 'schedule', instructionId: i.instructionId, confirmBy: i.confirmBy });
  }
  async unscheduleLapse(i: { instructionId: string }) {
    if (this.failWith) throw this.failWith;
    this.lapses.push({ action: 'unschedule', instructionId: i.instructionId });
  }
  private record(
    action: 'schedule' | 'reschedule' | 'unschedule',
    grantId: string,
    expiresAt?: string,
    remindAt?: string | null,
  ) {
    if (this.failWith) throw this.failWith;
    this.calls.push({ action, grantId, ...(expiresAt ? { expiresAt, remindAt: remindAt ?? null } : {}) });
  }
}

/** The stores a test or benchmark works on, with the notification ledger. */
export type TestStores = Stores & { ledger: NotificationLedger };

/** The notifier wired to the stores and clock, mailing through `mailer` (three attempts, links to a test console). */
export function notifyDepsFor(
  t: { stores: TestStores; clock: Clock; deps: Pick<Basics, 'ids'> },
  mailer: Mailer,
  maxAttempts = 3,
): NotifyDeps {
  const { contacts, links, grants, receipts, chain, ledger } = t.stores;
  return {
    contacts,
    links,
    grants,
    receipts,
    chain,
    ledger,
    mailer,
    clock: t.clock,
    ids: t.deps.ids,
    log: silentLog,
    maxAttempts,
    leaseMs: 60_000,
    consoleUrl: 'https://console.example',
  };
}

/** A mailer that keeps every email instead of sending it. */
export class RecordingMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  async send(email: OutgoingEmail) {
    this.sent.push(email);
    return `m-${this.sent.length}`;
  }
}

export const silentLog: Log & { errors: string[] } = {
  errors: [],
  info: () => {},
  warn: () => {},
  error(message: string) {
    this.errors.push(message);
  },
};

/** The use cases wired to the stores, a fake clock and a recording scheduler, with the default policy. */
export function useCaseDeps(
  stores: Stores,
  clock: FakeClock,
  scheduler: GrantScheduler = new RecordingScheduler(),
  log: Log = silentLog,
): SchedulingDeps {
  return { ...stores, scheduler, clock, ids: ulidGenerator(), policy: DEFAULT_POLICY, log };
}

export async function seedContact(
  deps: Needs<'contacts'>,
  tenantId: string,
  email: string,
  extra: Partial<Contact> = {},
) {
  return addContact(
    deps,
    tenantId,
    'admin@test',
    {
      name: extra.name ?? email.split('@')[0] ?? 'x',
      email,
      phone: extra.phone ?? '+49 30 1234567',
      ...extra,
    },
    deps.clock.now(),
  );
}

export interface GrantGiven<Second extends boolean> {
  seconds?: number;
  reason?: string;
  start?: string;
  secondContact?: Second;
}

/**
 * The usual arrange step, on whichever stores `t` has: contact Ada of tenant `acme` (and, if
 * asked, a second contact Bob) and the grant Ada gave, active for `seconds` from the clock.
 */
export async function withActiveGrant<
  T extends { deps: SchedulingDeps; clock: FakeClock },
  Second extends boolean,
>(t: T, options: GrantGiven<Second>) {
  const ada = await seedContact(t.deps, 'acme', 'ada@acme.test');
  const bob = (
    options.secondContact ? await seedContact(t.deps, 'acme', 'bob@acme.test') : undefined
  ) as Second extends true ? Contact : undefined;
  const grant = await grantFrom(t, ada, options);
  return { ...t, ada, bob, grant };
}

/** The grant `contact` gives tenant acme, active for `seconds` (300) from the clock. */
export async function grantFrom(
  t: { deps: SchedulingDeps; clock: FakeClock },
  contact: Contact,
  options: Pick<GrantGiven<boolean>, 'seconds' | 'reason'> = {},
) {
  const input = { reason: options.reason ?? 'r', durationSeconds: options.seconds ?? 300 };
  return (await createGrant(t.deps, 'acme', contact, input, t.clock.now())).grant;
}
