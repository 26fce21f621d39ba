import type { Clock } from '../domain/clock.ts';
import type { Grant, GrantPolicy } from '../domain/grant.ts';
import type {
  AuditChainStore,
  AuditLog,
  CheckRecordStore,
  ContactStore,
  GrantScheduler,
  GrantStore,
  IdempotencyStore,
  IdGenerator,
  InstructionStore,
  LinkStore,
  Log,
  Page,
  PageRequest,
  ReceiptStore,
} from '../domain/ports.ts';

/** The stores, one per aggregate. */
export interface Stores {
  grants: GrantStore;
  contacts: ContactStore;
  audit: AuditLog;
  chain: AuditChainStore;
  checks: CheckRecordStore;
  receipts: ReceiptStore;
  instructions: InstructionStore;
  links: LinkStore;
  idempotency: IdempotencyStore;
}

/** What every use case may use besides stores. */
export interface Basics {
  clock: Clock;
  ids: IdGenerator;
  policy: GrantPolicy;
  log: Log;
}

export interface Deps extends Stores, Basics {}

/** What the use cases that create, move or delete a grant's schedule need besides. */
export interface SchedulingDeps extends Deps {
  scheduler: GrantScheduler;
}

/** A use case's dependencies: the stores it uses, no more. */
export type Needs<S extends keyof Stores> = Pick<Stores, S> & Basics;

/** The same, for a use case that also creates, moves or deletes schedules. */
export type SchedulingNeeds<S extends keyof Stores> = Needs<S> & { scheduler: GrantScheduler };

/**
 * Retries a read-decide-write step that lost a conditional-write race, after a growing random
 * pause (requests racing for one item would otherwise race again in step); the last loss is the
 * caller's (a 409 `concurrent-modification` over HTTP).
 */
export async function retryOnConflict<T>(step: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if ((error as Error).name !== 'ConcurrentModificationError' || attempt >= attempts) throw error;
      const ceiling = CONFLICT_BACKOFF_MS * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, ceiling * (0.5 + Math.random() / 2)));
    }
  }
}

/** The first pause of `retryOnConflict`, at most; each next one doubles. */
export const CONFLICT_BACKOFF_MS = 10;

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

/** Visits every item, at most `concurrency` at a time (each visit's own steps stay in order). */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  visit: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await visit(items[next++] as T);
    }),
  );
}

/**
 * Visits what a sweep's list names, page by page, at most `max` items per run; `more` says the
 * run stopped with some left (the next run goes on).
 */
export async function sweepPages<T>(
  list: (page: PageRequest) => Promise<Page<T>>,
  max: number,
  visit: (item: T) => Promise<void>,
): Promise<{ examined: number; more: boolean }> {
  let examined = 0;
  let cursor: string | undefined;
  do {
    const page = await list({ limit: Math.min(100, max - examined), cursor });
    for (const item of page.items) {
      examined++;
      await visit(item);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor && examined < max);
  return { examined, more: cursor !== undefined };
}
