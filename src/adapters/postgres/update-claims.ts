import type pg from 'pg';
import type { Logger } from '../../lib/logger.ts';
import { checkout } from './connect.ts';

/**
 * Telegram update dedupe shared by every process (table in migrations/002_telegram_updates.sql);
 * the same shape as the in-memory deduper in channels/telegram/guards.ts.
 *
 * `claim` inserts the update id in a transaction that stays open until `done()`:
 * - a copy of the update arriving meanwhile, at any process, waits on the uncommitted row, then
 *   finds it committed and is dropped;
 * - a process killed while handling the update never commits: the server rolls the row back
 *   when the connection drops, and the copy Telegram re-sends is answered by another process
 *   instead of being dropped as already seen.
 *
 * `pool` must be a pool of its own (see chat-lock.ts): a claim holds its connection for the
 * whole update, which takes a chat lock and store connections.
 */

export interface UpdateClaim {
  done(): Promise<void>;
}

const DAY_MS = 86_400_000;

export function createUpdateClaims(options: { pool: pg.Pool; logger: Logger; purgeEveryMs?: number }) {
  const { pool, logger } = options;

  async function purge(): Promise<number> {
    // Telegram stops re-sending an update long before a day has passed.
    const { rowCount } = await pool.query(`DELETE FROM telegram_updates WHERE seen_at < now() - interval '1 day'`);
    return rowCount ?? 0;
  }
  const purger = setInterval(() => {
    purge().catch((error: unknown) => logger.error('telegram update purge failed', { error }));
  }, options.purgeEveryMs ?? DAY_MS / 24);
  purger.unref();

  return {
    /** A claim on the update, or undefined when it was handled (or is being handled) already. */
    async claim(updateId: number): Promise<UpdateClaim | undefined> {
      // Written into the SQL so BEGIN and INSERT go in one round trip (a simple query cannot
      // take parameters); safe because it is checked to be an integer first.
      if (!Number.isSafeInteger(updateId)) throw new TypeError(`not a Telegram update id: ${updateId}`);
      const client = await checkout(pool, logger, 'telegram update claim');
      try {
        const results = (await client.query(
          `BEGIN; INSERT INTO telegram_updates (update_id) VALUES (${updateId}) ON CONFLICT DO NOTHING`,
        )) as unknown as pg.QueryResult[];
        if (results[1]?.rowCount === 0) {
          await client.query('ROLLBACK');
          client.done();
          return undefined;
        }
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined); // the connection may be gone; release(error) drops it
        client.done(error as Error);
        throw error;
      }
      let settled = false;
      return {
        async done() {
          if (settled) return;
          settled = true;
          try {
            await client.query('COMMIT');
            client.done();
          } catch (error) {
            client.done(error as Error);
            throw error;
          }
        },
      };
    },
    purge,
    close() {
      clearInterval(purger);
    },
  };
}

export type UpdateClaims = ReturnType<typeof createUpdateClaims>;
