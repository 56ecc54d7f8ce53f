import type pg from 'pg';
import type { Logger } from '../../lib/logger.ts';
import { checkout } from './connect.ts';
import { LOCK_SPACE } from './lock-space.ts';

/**
 * A chat's turns across processes, one at a time: the ChatLock port (chat/conversation.ts) on a
 * PostgreSQL advisory lock keyed by hashtext(chat key).
 *
 * The lock is transaction-level (`pg_advisory_xact_lock`) on a connection held for the turn:
 * COMMIT releases it, and so does the server when a killed process's connection drops, so a
 * crash can never leave a chat locked. A session-level lock on a pooled connection could
 * outlive a forgotten unlock and pass to the connection's next user. The transaction writes
 * nothing: the turn's writes go through the store's own pool and commit on their own, before
 * the lock is released.
 *
 * Two chat keys with the same 32-bit hash share a lock: they only wait for each other.
 * `pool` must not be the store's pool: a turn holds a lock connection while it waits for store
 * connections, and a shared pool filled with lock holders would wait on itself.
 */
export function createChatLock(options: { pool: pg.Pool; logger: Logger; waitSeconds?: number }) {
  const { pool, logger } = options;
  // A turn waiting longer than this for its chat fails (bot.catch apologises) rather than hanging.
  const waitSeconds = options.waitSeconds ?? 60;
  return {
    async run<T>(chatKey: string, task: () => Promise<T>): Promise<T> {
      const client = await checkout(pool, logger, 'chat lock');
      let broken: Error | undefined;
      try {
        // One round trip for both (a simple query may hold several statements): the lock is
        // held for the whole turn, so every round trip before it is paid by every turn.
        await client.query(`BEGIN; SET LOCAL lock_timeout = '${Math.round(waitSeconds * 1000)}ms'`);
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE.chats, chatKey]);
      } catch (error) {
        broken = error as Error;
        await client.query('ROLLBACK').catch(() => undefined); // the connection may be gone; release(error) drops it
        client.done(broken);
        throw error;
      }
      try {
        return await task();
      } finally {
        try {
          await client.query('COMMIT');
        } catch (error) {
          // The connection dropped during the turn, and the lock with it: another process may
          // have started a turn of this chat meanwhile. The turn itself is stored; say so.
          broken = error as Error;
          logger.error('chat lock lost during a turn', { chatKey, error });
        }
        client.done(broken);
      }
    },
  };
}
