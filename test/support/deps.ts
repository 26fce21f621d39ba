import { randomBytes } from 'node:crypto';
import { CursorCodec } from '../../functions/adapters/dynamodb/cursor.ts';
import { DynamoGrantStore } from '../../functions/adapters/dynamodb/store.ts';
import type { Contact } from '../../functions/domain/contact.ts';
import { DEFAULT_POLICY } from '../../functions/domain/grant.ts';
import { ulidGenerator } from '../../functions/domain/ids.ts';
import type { GrantScheduler, Log, ScheduledExpiry } from '../../functions/domain/ports.ts';
import { addContact } from '../../functions/use-cases/contacts.ts';
import type { Deps, SchedulingDeps } from '../../functions/use-cases/deps.ts';
import { createGrant } from '../../functions/use-cases/grants.ts';
import { FakeClock } from './clock.ts';
import { freshTable } from './table.ts';

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
  }[] = [];
  failWith: Error | null = null;

  async schedule(expiry: ScheduledExpiry) {
    this.record('schedule', expiry.grantId, expiry.expiresAt);
  }
  async reschedule(expiry: ScheduledExpiry) {
    this.record('reschedule', expiry.grantId, expiry.expiresAt);
  }
  async unschedule(grant: { grantId: string }) {
    this.record('unschedule', grant.grantId);
  }
  private record(action: 'schedule' | 'reschedule' | 'unschedule', grantId: string, expiresAt?: string) {
    if (this.failWith) throw this.failWith;
    this.calls.push({ action, grantId, ...(expiresAt ? { expiresAt } : {}) });
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

export async function testDeps(start = '2026-12-01T10:00:00.000Z') {
  const table = await freshTable();
  const clock = new FakeClock(start);
  const scheduler = new RecordingScheduler();
  const store = new DynamoGrantStore(table.doc, table.tableName, testCursors());
  const deps: SchedulingDeps = {
    store,
    scheduler,
    clock,
    ids: ulidGenerator(),
    policy: DEFAULT_POLICY,
    log: silentLog,
  };
  return { ...table, clock, scheduler, store, deps };
}

export async function seedContact(deps: Deps, tenantId: string, email: string, extra: Partial<Contact> = {}) {
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

/**
 * The usual arrange step: a fresh table, contact Ada of tenant `acme` and the grant she gave,
 * active for `seconds` from the fake clock's start.
 */
export async function givenActiveGrant(options: { seconds?: number; reason?: string; start?: string } = {}) {
  const t = await testDeps(options.start);
  const ada = await seedContact(t.deps, 'acme', 'ada@acme.test');
  const { grant } = await createGrant(
    t.deps,
    'acme',
    ada,
    { reason: options.reason ?? 'r', durationSeconds: options.seconds ?? 300 },
    t.clock.now(),
  );
  return { ...t, ada, grant };
}
