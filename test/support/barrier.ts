/** The store, except that `method` runs `after` once it has read and before it returns. */
function afterRead<S extends object>(store: S, method: keyof S, after: () => Promise<unknown>): S {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== method || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result = await value.apply(target, args);
        await after();
        return result;
      };
    },
  });
}

/**
 * Wraps a store so that the first `parties` calls of `method` all complete their reads before any
 * of them returns: every party then decides on the same state, and the writes that follow
 * really race each other at the database.
 */
export function withBarrier<S extends object>(store: S, method: keyof S, parties: number): S {
  let arrived = 0;
  let release: () => void = () => {};
  const allArrived = new Promise<void>((resolve) => {
    release = resolve;
  });
  return afterRead(store, method, async () => {
    if (arrived >= parties) return;
    arrived++;
    if (arrived === parties) release();
    await allArrived;
  });
}

/**
 * The store, except that the first call of `method` lets `meanwhile` happen after reading and
 * before returning: a change that lands between a use case's read and its write.
 */
export function onceAfter<S extends object>(store: S, method: keyof S, meanwhile: () => Promise<unknown>): S {
  let done = false;
  return afterRead(store, method, async () => {
    if (done) return;
    done = true;
    await meanwhile();
  });
}
