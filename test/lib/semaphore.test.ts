import { describe, expect, it } from 'vitest';
import { createSemaphore, SemaphoreFullError } from '../../src/lib/semaphore.ts';

describe('semaphore', () => {
  it('runs at most `limit` tasks at once, queues `maxWaiting` in order and refuses the rest', async () => {
    const semaphore = createSemaphore(2, 3);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const task = (id: number) => () =>
      new Promise<number>((done) => {
        running += 1;
        most = Math.max(most, running);
        order.push(id);
        releases.push(() => {
          running -= 1;
          done(id);
        });
      });
    const all = Array.from({ length: 7 }, (_, id) => semaphore.run(task(id)));
    const settled = Promise.allSettled(all);
    while (order.length < 5) {
      await new Promise((tick) => setImmediate(tick));
      releases.shift()?.();
    }
    while (releases.length) releases.shift()!();
    const results = await settled;
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(results.slice(5).every((result) => result.status === 'rejected' && result.reason instanceof SemaphoreFullError)).toBe(true);
    expect(semaphore.running).toBe(0);
  });

  it('frees the slot when a task throws', async () => {
    const semaphore = createSemaphore(1, 0);
    await expect(semaphore.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await semaphore.run(async () => 'ok')).toBe('ok');
  });
});
