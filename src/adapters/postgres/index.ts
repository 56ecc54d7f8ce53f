import type pg from 'pg';
import type { RuntimeStore } from '../../admin/ports.ts';
import type { Logger } from '../../lib/logger.ts';
import { createChatLock } from './chat-lock.ts';
import { checkConnection, createClient, createPool } from './connect.ts';
import { createKnowledgeChannel, type KnowledgeChannel, type KnowledgeChannelOptions } from './knowledge-channel.ts';
import { migrate } from './migrate.ts';
import { createPostgresStore } from './store.ts';
import { createUpdateClaims, type UpdateClaims } from './update-claims.ts';

/**
 * Everything a bot process keeps in PostgreSQL, opened once by main.ts when DATABASE_URL is
 * set: connect (a clear Chinese error when the server cannot be reached) → migrate → the store,
 * the per-chat lock across processes, the shared Telegram update dedupe, and the channel that
 * tells every process to reload published knowledge.
 *
 * Three pools, because the lock and the claim hold a connection for a whole turn while the turn
 * needs store connections: each kind only ever waits on the kinds after it (claim → chat lock →
 * queries), so no pool can fill with holders waiting on that same pool.
 */

export interface PostgresOptions {
  url: string;
  logger: Logger;
  poolSize?: number;
  retentionDays?: number;
  sessionTtlMinutes?: number;
  /** Tables in this schema instead of the server's search_path (tests, benchmarks). */
  schema?: string;
}

export interface PostgresServices {
  store: RuntimeStore;
  chatLock: ReturnType<typeof createChatLock>;
  updates: UpdateClaims;
  pool: pg.Pool;
  /** Starts listening for publishes in other processes (LISTEN/NOTIFY); closed with the rest. */
  followKnowledge(handlers: Pick<KnowledgeChannelOptions, 'onPublished' | 'onReconnected'>): Promise<KnowledgeChannel>;
  /** Closes the store, then every connection. */
  close(): Promise<void>;
}

export async function openPostgres(options: PostgresOptions): Promise<PostgresServices> {
  const { url, logger } = options;
  const connection = { url, logger, ...(options.schema ? { schema: options.schema } : {}) };
  const max = options.poolSize ?? 10;
  const pool = createPool({ ...connection, max, name: 'queries' });
  const lockPool = createPool({ ...connection, max, name: 'chat locks' });
  const claimPool = createPool({ ...connection, max, name: 'update claims' });
  const endPools = () => Promise.allSettled([pool.end(), lockPool.end(), claimPool.end()]);
  try {
    await checkConnection(pool, url);
    await migrate(pool, logger);
    const store = await createPostgresStore({
      pool,
      logger,
      ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
      ...(options.sessionTtlMinutes !== undefined ? { sessionTtlMinutes: options.sessionTtlMinutes } : {}),
    });
    const updates = createUpdateClaims({ pool: claimPool, logger });
    const channels: KnowledgeChannel[] = [];
    let closed = false;
    return {
      store,
      chatLock: createChatLock({ pool: lockPool, logger }),
      updates,
      pool,
      async followKnowledge(handlers) {
        const channel = createKnowledgeChannel({ ...handlers, client: () => createClient(connection), pool, logger });
        channels.push(channel);
        await channel.start();
        return channel;
      },
      async close() {
        if (closed) return;
        closed = true;
        updates.close();
        for (const channel of channels) await channel.close();
        await store.close();
        await endPools();
      },
    };
  } catch (error) {
    await endPools(); // already failing: the first error is the one to report
    throw error;
  }
}
