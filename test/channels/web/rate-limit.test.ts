import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/channels/web/rate-limit.ts';

const MINUTE = 60_000;

describe('rate limiter (token bucket)', () => {
  it('allows `limit` at once, then one more each 1/limit of the period', () => {
    const limiter = createRateLimiter({ limit: 20, perMs: MINUTE });
    for (let index = 0; index < 20; index += 1) {
      expect(limiter.wait('chat', 0)).toBe(0);
      limiter.take('chat', 0);
    }
    expect(limiter.wait('chat', 0)).toBe(3); // one message back every 3 s
    expect(limiter.wait('other', 0)).toBe(0);
    expect(limiter.wait('chat', 3000)).toBe(0);
  });

  it('drops buckets that have refilled, and never holds more than its cap', () => {
    const limiter = createRateLimiter({ limit: 5, perMs: MINUTE, maxKeys: 50 });
    for (let index = 0; index < 30; index += 1) limiter.take(`a${index}`, 0);
    expect(limiter.size).toBe(30);
    limiter.take('late', 2 * MINUTE);
    expect(limiter.size).toBe(1);
    for (let index = 0; index < 500; index += 1) limiter.take(`b${index}`, 3 * MINUTE);
    expect(limiter.size).toBeLessThanOrEqual(50);
  });
});
