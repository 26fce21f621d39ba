import type { Contact } from '../../functions/domain/contact.ts';
import { createGrant } from '../../functions/use-cases/grants.ts';
import { tableStores } from '../../functions/wiring/stores.ts';
import { FakeClock } from './clock.ts';
import { freshTable } from './table.ts';
import { RecordingScheduler, seedContact, testCursors, useCaseDeps } from './use-case-deps.ts';

export {
  notifyDepsFor,
  RecordingMailer,
  RecordingScheduler,
  seedContact,
  silentLog,
  type TestStores,
  testCursors,
} from './use-case-deps.ts';

export async function testDeps(start = '2026-12-01T10:00:00.000Z') {
  const table = await freshTable();
  const clock = new FakeClock(start);
  const scheduler = new RecordingScheduler();
  const stores = tableStores(table.doc, table.tableName, testCursors());
  const deps = useCaseDeps(stores, clock, scheduler);
  return { ...table, clock, scheduler, stores, deps };
}

/**
 * The usual arrange step: a fresh table, contact Ada of tenant `acme` (and, if asked, a second
 * contact Bob) and the grant Ada gave, active for `seconds` from the fake clock's start.
 */
export async function givenActiveGrant<Second extends boolean = false>(
  options: { seconds?: number; reason?: string; start?: string; secondContact?: Second } = {},
) {
  const t = await testDeps(options.start);
  const ada = await seedContact(t.deps, 'acme', 'ada@acme.test');
  const bob = (
    options.secondContact ? await seedContact(t.deps, 'acme', 'bob@acme.test') : undefined
  ) as Second extends true ? Contact : undefined;
  const { grant } = await createGrant(
    t.deps,
    'acme',
    ada,
    { reason: options.reason ?? 'r', durationSeconds: options.seconds ?? 300 },
    t.clock.now(),
  );
  return { ...t, ada, bob, grant };
}
