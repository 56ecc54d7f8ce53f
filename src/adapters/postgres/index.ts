import type pg from 'pg';
import type { LoginLimiter, LoginLimitOptions } from '../../admin/login-limit.ts';
import type { RuntimeStore } from '../../admin/ports.ts';
import type { RateLimits } from '../../channels/web/rate-limit.ts';
import type { Logger } from '../../lib/logger.ts';
import { createChatLock } from './chat-lock.ts';
import { checkConnection, createClient, createPool } from './connect.ts';
import { createKnowledgeChannel, type KnowledgeChannel, type KnowledgeChannelOptions } from './knowledge-channel.ts';
import { createPostgresLoginLimiter } from './login-limits.ts';
import { migrate } from './migrate.ts';
import { createPostgresRateLimits } from './rate-limits.ts';
import { createPostgresStore } from './store.ts';
import { createUpdateClaims, type UpdateClaims } from './update-claims.ts';

/**
 * Everything a bot process keeps in PostgreSQL, opened once by main.ts when DATABASE_URL is
 * set: connect (a clear Chinese error when the server cannot be reached) → migrate → the store,
 * the per-chat lock across processes, the shared Telegram update dedupe, the web chat's rate
 * limits and the console login limit shared by every process, and the channel that tells every
 * process to reload published knowledge. The limits use the queries pool: their transactions
 * are short and wait only on each other's per-key locks.
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
  /** The web chat's token buckets, shared by every process. */
  chatLimits: RateLimits;
  /** The console login limit with its counters shared by every process (one per process). */
  loginLimiter(options: Omit<LoginLimitOptions, 'maxKeys'>): LoginLimiter;
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
    const chatLimits = createPostgresRateLimits({ pool, logger });
    const purgers: { close(): void }[] = [chatLimits];
    const channels: KnowledgeChannel[] = [];
    let closed = false;
    return {
      store,
      chatLock: createChatLock({ pool: lockPool, logger }),
      updates,
      chatLimits,
      loginLimiter(limitOptions) {
        const limiter = createPostgresLoginLimiter({ ...limitOptions, pool, logger });
        purgers.push(limiter);
        return limiter;
      },
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
        for (const purger of purgers) purger.close();
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
