import type { GrantStore } from '../../functions/domain/ports.ts';

/**
 * Wraps a store so that the first `parties` calls of `method` all complete their reads before any
 * of them returns: every party then decides on the same state, and the writes that follow
 * really race each other at the database.
 */
export function withBarrier(store: GrantStore, method: keyof GrantStore, parties: number): GrantStore {
  let arrived = 0;
  let release: () => void = () => {};
  const allArrived = new Promise<void>((resolve) => {
    release = resolve;
  });
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== method || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result = await value.apply(target, args);
        if (arrived < parties) {
          arrived++;
          if (arrived === parties) release();
          await allArrived;
        }
        return result;
      };
    },
  });
}
