import type { Clock } from '../domain/clock.ts';
import type { GrantPolicy } from '../domain/grant.ts';
import type { GrantScheduler, GrantStore, IdGenerator, Log } from '../domain/ports.ts';

export interface Deps {
  store: GrantStore;
  scheduler: GrantScheduler;
  clock: Clock;
  ids: IdGenerator;
  policy: GrantPolicy;
  log: Log;
}

/** Retries a read-decide-write step that lost a conditional-write race. */
export async function retryOnConflict<T>(step: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if ((error as Error).name !== 'ConcurrentModificationError' || attempt >= attempts) throw error;
    }
  }
}
