import type pg from 'pg';
import type { BucketCheck, RateLimits } from '../../channels/web/rate-limit.ts';
import type { Logger } from '../../lib/logger.ts';
import { purgeEvery, withKeysLocked } from './limit-keys.ts';

/**
 * The web chat's token buckets (the RateLimits port of channels/web/rate-limit.ts) in
 * PostgreSQL, shared by every process (table in migrations/004_limits.sql). The same arithmetic
 * as the memory buckets: `limit` per `perMs`, refilled smoothly.
 *
 * `admit` reads and spends under the keys' advisory locks (see withKeysLocked), so a burst
 * spread over several processes is admitted exactly `limit` times. Times are the callers'
 * clocks in ms; a process whose clock is behind only refills less. Rows of buckets that have
 * refilled completely are purged every `purgeEveryMs`.
 */
export function createPostgresRateLimits(options: { pool: pg.Pool; logger: Logger; purgeEveryMs?: number }): RateLimits & { purge(): Promise<number>; close(): void } {
  const { pool, logger } = options;
  const purger = purgeEvery(pool, logger, options.purgeEveryMs ?? 10 * 60_000, 'rate bucket', () => [
    'DELETE FROM rate_buckets WHERE full_at_ms < $1',
    [Date.now()],
  ]);

  return {
    async admit(checks: readonly BucketCheck[], now: number) {
      const keys = checks.map((check) => check.key);
      return withKeysLocked(pool, logger, keys, async (client) => {
        const { rows } = await client.query<{ key: string; tokens: number; at_ms: string }>(
          'SELECT key, tokens, at_ms FROM rate_buckets WHERE key = ANY($1::text[])',
          [keys],
        );
        const stored = new Map(rows.map((row) => [row.key, row]));
        const levels = checks.map(({ key, limit, perMs }) => {
          const row = stored.get(key);
          return row ? Math.min(limit, row.tokens + Math.max(0, now - Number(row.at_ms)) * (limit / perMs)) : limit;
        });
        const waits = checks.map(({ limit, perMs }, index) => {
          const tokens = levels[index]!;
          return tokens >= 1 ? 0 : Math.max(1, Math.ceil(((1 - tokens) * perMs) / limit / 1000));
        });
        if (waits.some((seconds) => seconds > 0)) return waits; // refused: nothing spent
        const tokens = levels.map((level) => level - 1);
        const fullAt = checks.map(({ limit, perMs }, index) => Math.ceil(now + ((limit - tokens[index]!) * perMs) / limit));
        await client.query(
          `INSERT INTO rate_buckets (key, tokens, at_ms, full_at_ms)
           SELECT * FROM unnest($1::text[], $2::float8[], $3::bigint[], $4::bigint[])
           ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, at_ms = excluded.at_ms, full_at_ms = excluded.full_at_ms`,
          [keys, tokens, checks.map(() => now), fullAt],
        );
        return waits;
      });
    },
    purge: purger.purge,
    close: purger.close,
  };
}
