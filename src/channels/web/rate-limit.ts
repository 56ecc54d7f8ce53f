import { createCappedMap } from '../../lib/capped-map.ts';

/**
 * Token buckets per key: `limit` requests per `perMs`, refilled smoothly, so a citizen who sends
 * a burst of three quick messages is never refused while a script is held to the average rate.
 * A bucket that has refilled completely holds nothing worth keeping and is dropped; at most
 * `maxKeys` buckets are held (see createCappedMap), so an attacker cannot grow memory by
 * inventing addresses or cookies.
 */
export interface RateLimiter {
  /** Seconds until `key` may send again; 0 when it may send now. Takes nothing. */
  wait(key: string, now: number): number;
  /** Spends one request of `key`'s allowance (call after `wait` returned 0). */
  take(key: string, now: number): void;
  readonly size: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(options: { limit: number; perMs: number; maxKeys?: number }): RateLimiter {
  const { limit, perMs } = options;
  const refillPerMs = limit / perMs;
  const level = (bucket: Bucket, now: number) => Math.min(limit, bucket.tokens + Math.max(0, now - bucket.at) * refillPerMs);
  const buckets = createCappedMap<Bucket>({
    maxKeys: options.maxKeys ?? 20_000,
    sweepEveryMs: perMs,
    isStale: (bucket, now) => level(bucket, now) >= limit,
  });
  return {
    wait(key, now) {
      const bucket = buckets.get(key, now);
      if (!bucket) return 0;
      const tokens = level(bucket, now);
      return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / refillPerMs / 1000));
    },
    take(key, now) {
      const bucket = buckets.get(key, now);
      const tokens = bucket ? level(bucket, now) : limit;
      buckets.set(key, { tokens: tokens - 1, at: now }, now);
    },
    get size() {
      return buckets.size;
    },
  };
}

/** One token bucket an `admit` call checks: `limit` requests per `perMs` for `key`. */
export interface BucketCheck {
  key: string;
  limit: number;
  perMs: number;
}

/**
 * The port the chat guard counts through. Memory by default (createMemoryRateLimits); with
 * DATABASE_URL every process shares one set of buckets (adapters/postgres/rate-limits.ts), so N
 * processes behind a proxy do not give a client N times the allowance.
 */
export interface RateLimits {
  /**
   * All or nothing, atomically: when every bucket in `checks` has a request left, spends one
   * of each and returns all zeros; otherwise spends nothing (a refused request costs nothing)
   * and returns each bucket's wait in seconds, 0 for those with room. Keys must be distinct.
   */
  admit(checks: readonly BucketCheck[], now: number): Promise<number[]>;
}

/** RateLimits in this process's memory: one createRateLimiter per (limit, perMs). */
export function createMemoryRateLimits(options: { maxKeys?: number } = {}): RateLimits {
  const limiters = new Map<string, RateLimiter>();
  const limiterFor = ({ limit, perMs }: BucketCheck) => {
    const name = `${limit}/${perMs}`;
    let limiter = limiters.get(name);
    if (!limiter) {
      limiter = createRateLimiter({ limit, perMs, ...(options.maxKeys ? { maxKeys: options.maxKeys } : {}) });
      limiters.set(name, limiter);
    }
    return limiter;
  };
  return {
    async admit(checks, now) {
      // No await between wait and take: nothing else in this process runs in between.
      const waits = checks.map((check) => limiterFor(check).wait(check.key, now));
      if (waits.every((seconds) => seconds === 0)) for (const check of checks) limiterFor(check).take(check.key, now);
      return waits;
    },
  };
}
