import { FakeClock } from '../clock.ts';
import { type GrantGiven, RecordingScheduler, useCaseDeps, withActiveGrant } from '../use-case-deps.ts';
import { fakeStores } from './index.ts';

/** The use cases over the in-memory stores, a fake clock and a recording scheduler: no database. */
export function fakeDeps(start = '2026-12-01T10:00:00.000Z') {
  const clock = new FakeClock(start);
  const scheduler = new RecordingScheduler();
  const stores = fakeStores();
  const deps = useCaseDeps(stores, clock, scheduler);
  return { clock, scheduler, stores, deps };
}

/** The usual arrange step (see `withActiveGrant`) over the in-memory stores. */
export async function givenActiveGrant<Second extends boolean = false>(options: GrantGiven<Second> = {}) {
  return withActiveGrant(fakeDeps(options.start), options);
}
