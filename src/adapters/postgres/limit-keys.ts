import type pg from 'pg';
import type { Logger } from '../../lib/logger.ts';
import { checkout } from './connect.ts';
import { LOCK_SPACE } from './lock-space.ts';

/**
 * Runs `task` in a transaction that first holds the advisory lock of every key in `keys`, so
 * every process's check-then-write on those keys happens one at a time. The locks are taken in
 * the order of their hash, the same in every process, so two transactions on overlapping keys
 * never wait for each other in a circle. Two keys with the same 32-bit hash only share a lock.
 * COMMIT (or a dropped connection) releases them.
 */
export async function withKeysLocked<T>(pool: pg.Pool, logger: Logger, keys: readonly string[], task: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await checkout(pool, logger, 'limit counters');
  let failed: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query(
      'SELECT pg_advisory_xact_lock($1, h) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($2::text[]) AS k ORDER BY h) AS sorted',
      [LOCK_SPACE.limits, [...keys]],
    );
    const result = await task(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failed = error as Error;
    await client.query('ROLLBACK').catch(() => undefined); // the connection may be gone; done(error) drops it
    throw error;
  } finally {
    client.done(failed);
  }
}

/** Deletes with `sql` every `everyMs` until closed; a failure is logged and tried again next time. */
export function purgeEvery(pool: pg.Pool, logger: Logger, everyMs: number, what: string, sql: () => [string, unknown[]]) {
  const purge = async () => {
    const [text, values] = sql();
    return (await pool.query(text, values)).rowCount ?? 0;
  };
  const timer = setInterval(() => {
    purge().catch((error: unknown) => logger.error(`${what} purge failed`, { error }));
  }, everyMs);
  timer.unref();
  return { purge, close: () => clearInterval(timer) };
}
