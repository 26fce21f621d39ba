import type { Clock } from '../domain/clock.ts';
import type { Grant, GrantPolicy } from '../domain/grant.ts';
import type { GrantScheduler, GrantStore, IdGenerator, Log } from '../domain/ports.ts';

export interface Deps {
  store: GrantStore;
  clock: Clock;
  ids: IdGenerator;
  policy: GrantPolicy;
  log: Log;
}

/** What the use cases that create, move or delete a grant's schedule need besides. */
export interface SchedulingDeps extends Deps {
  scheduler: GrantScheduler;
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

/**
 * Schedule calls never undo or block a state change: if one fails, the minute sweep still ends
 * the grant on time (access is never honoured past the deadline anyway).
 */
export async function bestEffort(
  deps: Pick<Deps, 'log'>,
  action: string,
  grant: Pick<Grant, 'grantId' | 'tenantId'>,
  call: () => Promise<void>,
): Promise<void> {
  try {
    await call();
  } catch (error) {
    deps.log.error('Scheduler call failed; the sweep will end the grant on time', {
      action,
      grantId: grant.grantId,
      tenantId: grant.tenantId,
      error: (error as Error).name,
    });
  }
}
