import type { Contact } from '../../../functions/domain/contact.ts';
import { createGrant } from '../../../functions/use-cases/grants.ts';
import { FakeClock } from '../clock.ts';
import { RecordingScheduler, seedContact, useCaseDeps } from '../use-case-deps.ts';
import { fakeStores } from './index.ts';

/** The use cases over the in-memory stores, a fake clock and a recording scheduler: no database. */
export function fakeDeps(start = '2026-12-01T10:00:00.000Z') {
  const clock = new FakeClock(start);
  const scheduler = new RecordingScheduler();
  const stores = fakeStores();
  const deps = useCaseDeps(stores, clock, scheduler);
  return { clock, scheduler, stores, deps };
}

/**
 * The usual arrange step over the fakes: contact Ada of tenant `acme` (and, if asked, a second
 * contact Bob) and the grant Ada gave, active for `seconds` from the fake clock's start.
 */
export async function givenActiveGrant<Second extends boolean = false>(
  options: { seconds?: number; reason?: string; start?: string; secondContact?: Second } = {},
) {
  const t = fakeDeps(options.start);
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
