/**
 * Runs tasks one after another per key; different keys run concurrently. A failed task does not
 * stop the ones queued after it. Used for a chat's turns, the console draft, publishes and the
 * store's writes, so each has one ordering rule instead of a hand-made promise chain.
 * Keys whose queue is empty are dropped, so the map never outgrows the work in flight.
 */
export interface KeyedQueue {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Keys with work queued or running. */
  readonly size: number;
}

export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(task, task);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    get size() {
      return tails.size;
    },
  };
}
