import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  loginKeys,
  retryAfterSeconds,
  type LoginAttempt,
  type LoginGate,
  type LoginLimiter,
  type LoginLimitOptions,
  type LoginLimitScope,
  type LoginOutcome,
} from '../../admin/login-limit.ts';
import type { Logger } from '../../lib/logger.ts';
import { purgeEvery, withKeysLocked } from './limit-keys.ts';

/**
 * The console login limit (admin/login-limit.ts, same rules) with its counters in PostgreSQL,
 * shared by every process (table in migrations/004_limits.sql).
 *
 * `begin` counts and records the attempt in one transaction under the keys' advisory locks,
 * so of a burst spread over any number of processes exactly `max` get to check a password.
 * The attempt's rows are written as in flight and count as failures until `finish`: a failure
 * marks them failed, `unchecked` deletes them, a success deletes them and the failures it
 * clears. An attempt whose process died is never finished and counts as a failure until its
 * window passes; rows older than the window are purged every `purgeEveryMs`.
 *
 * Keys and names are stored as SHA-256 hashes: the name field often holds a password typed one
 * box too early, and a trusted browser's device id is a credential of sorts.
 */

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

export function createPostgresLoginLimiter(
  options: Omit<LoginLimitOptions, 'maxKeys'> & { pool: pg.Pool; logger: Logger; purgeEveryMs?: number },
): LoginLimiter & { purge(): Promise<number>; close(): void } {
  const { pool, logger, max, windowMs } = options;
  const accountMax = options.accountMax ?? max * 4;
  const purger = purgeEvery(pool, logger, options.purgeEveryMs ?? Math.max(60_000, windowMs), 'login attempt', () => [
    'DELETE FROM login_attempts WHERE started_at_ms <= $1',
    [Date.now() - windowMs],
  ]);

  async function begin(attempt: LoginAttempt, now = Date.now()): Promise<LoginGate<Promise<void>>> {
    const keys = loginKeys(attempt, max, accountMax).map(([scope, key, limit]) => ({ scope, key: hash(key), limit }));
    const account = hash(attempt.user);
    const attemptId = randomUUID();
    const refusal = await withKeysLocked(pool, logger, keys.map(({ key }) => key), async (client) => {
      const { rows } = await client.query<{ key: string; started_at_ms: string; failed: boolean }>(
        'SELECT key, started_at_ms, failed FROM login_attempts WHERE key = ANY($1::text[]) AND started_at_ms > $2',
        [keys.map(({ key }) => key), now - windowMs],
      );
      let refused: { scope: LoginLimitScope; retryAfterSeconds: number } | undefined;
      for (const { scope, key, limit } of keys) {
        // As in memory: an attempt in flight counts as failing now.
        const times = rows.filter((row) => row.key === key).map((row) => (row.failed ? Number(row.started_at_ms) : now));
        if (times.length < limit) continue;
        const seconds = retryAfterSeconds(times, limit, windowMs, now);
        if (!refused || seconds > refused.retryAfterSeconds) refused = { scope, retryAfterSeconds: seconds };
      }
      if (refused) return refused;
      await client.query(
        'INSERT INTO login_attempts (attempt_id, key, account, started_at_ms) SELECT $1, k, $3, $4 FROM unnest($2::text[]) AS k',
        [attemptId, keys.map(({ key }) => key), account, now],
      );
      return undefined;
    });
    if (refusal) return { ok: false, ...refusal };

    let finished = false;
    return {
      ok: true,
      async finish(outcome: LoginOutcome) {
        if (finished) return; // a route's finally and catch may both call it
        finished = true;
        if (outcome === 'failure') {
          await pool.query('UPDATE login_attempts SET failed = true WHERE attempt_id = $1', [attemptId]);
          return;
        }
        if (outcome === 'unchecked') {
          await pool.query('DELETE FROM login_attempts WHERE attempt_id = $1', [attemptId]);
          return;
        }
        // A success clears the account's and the trusted browser's failures, and the address's
        // failures for this account only (see admin/login-limit.ts). Deleting only lowers
        // counts, so it needs no lock; attempts in flight keep counting.
        const address = keys.find(({ scope }) => scope === 'address')?.key ?? '';
        const others = keys.filter(({ scope }) => scope !== 'address').map(({ key }) => key);
        await pool.query(
          `DELETE FROM login_attempts
           WHERE attempt_id = $1 OR (failed AND key = ANY($2::text[])) OR (failed AND key = $3 AND account = $4)`,
          [attemptId, others, address, account],
        );
      },
    };
  }

  return { begin, purge: purger.purge, close: purger.close };
}
