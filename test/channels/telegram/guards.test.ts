import { describe, expect, it } from 'vitest';
import { createFloodGate, createUpdateDeduper } from '../../../src/channels/telegram/guards.ts';
import { createKeyedQueue as createChatQueue } from '../../../src/lib/keyed-queue.ts';
import { installRetry, retryAfterOf } from '../../../src/channels/telegram/retry.ts';

describe('flood gate', () => {
  it('allows max per window, refuses the rest, and says so once per burst', () => {
    let now = 0;
    const gate = createFloodGate({ max: 3, windowMs: 10_000, now: () => now });
    expect([1, 2, 3].map(() => gate.check(1).allowed)).toEqual([true, true, true]);
    expect(gate.check(1)).toEqual({ allowed: false, firstRefusal: true });
    expect(gate.check(1)).toEqual({ allowed: false, firstRefusal: false });
    expect(gate.check(2).allowed).toBe(true); // other users are not affected
    now = 10_001;
    expect(gate.check(1).allowed).toBe(true);
  });
});

describe('update deduper', () => {
  it('answers an update id once and forgets the oldest beyond capacity', async () => {
    const dedupe = createUpdateDeduper(2);
    const firstTime = async (id: number) => (await dedupe.claim(id)) !== undefined;
    expect(await firstTime(1)).toBe(true);
    expect(await firstTime(1)).toBe(false);
    await firstTime(2);
    await firstTime(3);
    expect(await firstTime(1)).toBe(true);
  });
});

describe('chat queue', () => {
  it('runs one chat in order even when an earlier task fails, other chats alongside', async () => {
    const queue = createChatQueue();
    const order: string[] = [];
    const slow = (label: string, ms: number, fail = false) => () =>
      new Promise<void>((resolve, reject) =>
        setTimeout(() => {
          order.push(label);
          if (fail) reject(new Error(label));
          else resolve();
        }, ms),
      );
    const results = await Promise.allSettled([
      queue.run('a', slow('a1', 30, true)),
      queue.run('a', slow('a2', 1)),
      queue.run('b', slow('b1', 5)),
    ]);
    expect(order).toEqual(['b1', 'a1', 'a2']);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  });
});

describe('429 retry', () => {
  const tooMany = (retryAfter?: number) =>
    Object.assign(new Error('429'), { code: 429, response: { error_code: 429, parameters: retryAfter === undefined ? undefined : { retry_after: retryAfter } } });

  it('reads retry_after', () => {
    expect(retryAfterOf(tooMany(7))).toBe(7);
    expect(retryAfterOf(tooMany())).toBe(1);
    expect(retryAfterOf(new Error('other'))).toBeUndefined();
  });

  it('waits retry_after and tries again, then gives up after the last attempt', async () => {
    const waits: number[] = [];
    let calls = 0;
    const target = {
      callApi: async (_method: string, _payload: unknown) => {
        calls += 1;
        if (calls < 3) throw tooMany(2);
        return 'sent';
      },
    };
    installRetry(target, { attempts: 3, sleep: async (ms) => void waits.push(ms) });
    expect(await target.callApi('sendMessage', {})).toBe('sent');
    expect(waits).toEqual([2000, 2000]);

    const always = { callApi: async (_method: string, _payload: unknown) => Promise.reject(tooMany(1)) };
    installRetry(always, { attempts: 2, sleep: async () => {} });
    await expect(always.callApi('sendMessage', {})).rejects.toThrow('429');
  });

  it('passes other errors straight through', async () => {
    let calls = 0;
    const target = { callApi: async (_method: string, _payload: unknown) => { calls += 1; throw new Error('400 Bad Request'); } };
    installRetry(target, { sleep: async () => {} });
    await expect(target.callApi('sendMessage', {})).rejects.toThrow('400');
    expect(calls).toBe(1);
  });
});
