/**
 * At most `limit` tasks at once; up to `maxWaiting` more wait their turn in order, and beyond
 * that `run` refuses at once with SemaphoreFullError instead of queueing without end.
 */
export class SemaphoreFullError extends Error {
  constructor() {
    super('too many tasks waiting');
    this.name = 'SemaphoreFullError';
  }
}

export interface Semaphore {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly running: number;
  readonly waiting: number;
}

export function createSemaphore(limit: number, maxWaiting: number): Semaphore {
  let running = 0;
  const queue: (() => void)[] = [];
  return {
    async run(task) {
      if (running < limit) running += 1;
      else if (queue.length >= maxWaiting) throw new SemaphoreFullError();
      else await new Promise<void>((turn) => queue.push(turn)); // the finishing task hands over its slot
      try {
        return await task();
      } finally {
        const next = queue.shift();
        if (next) next();
        else running -= 1;
      }
    },
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
  };
}
