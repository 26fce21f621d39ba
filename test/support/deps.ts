import { tableStores } from '../../functions/wiring/stores.ts';
import { FakeClock } from './clock.ts';
import { freshTable } from './table.ts';
import {
  type GrantGiven,
  RecordingScheduler,
  testCursors,
  useCaseDeps,
  withActiveGrant,
} from './use-case-deps.ts';

export {
  grantFrom,
  notifyDepsFor,
  RecordingMailer,
  RecordingScheduler,
  seedContact,
  silentLog,
  type TestStores,
  testCursors,
  withActiveGrant,
} from './use-case-deps.ts';

export async function testDeps(start = '2026-12-01T10:00:00.000Z') {
  const table = await freshTable();
  const clock = new FakeClock(start);
  const scheduler = new RecordingScheduler();
  const stores = tableStores(table.doc, table.tableName, testCursors());
  const deps = useCaseDeps(stores, clock, scheduler);
  return { ...table, clock, scheduler, stores, deps };
}

/** The usual arrange step (see `withActiveGrant`). */
export async function givenActiveGrant<Second extends boolean = false>(options: GrantGiven<Second> = {}) {
  return withActiveGrant(await testDeps(options.start), options);
}
