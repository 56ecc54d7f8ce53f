import type pg from 'pg';
import type { RuntimeStore } from '../../admin/ports.ts';
import type { Logger } from '../../lib/logger.ts';
import { checkConnection, createPool } from './connect.ts';
import { migrate } from './migrate.ts';
import { createPostgresStore } from './store.ts';

/**
 * Everything a bot process keeps in PostgreSQL, opened once by main.ts when DATABASE_URL is
 * set: connect (a clear Chinese error when the server cannot be reached) → migrate → the store.
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
  pool: pg.Pool;
  /** Closes the store, then every connection. */
  close(): Promise<void>;
}

export async function openPostgres(options: PostgresOptions): Promise<PostgresServices> {
  const { url, logger } = options;
  const connection = { url, logger, ...(options.schema ? { schema: options.schema } : {}) };
  const pool = createPool({ ...connection, max: options.poolSize ?? 10, name: 'queries' });
  try {
    await checkConnection(pool, url);
    await migrate(pool, logger);
    const store = await createPostgresStore({
      pool,
      logger,
      ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
      ...(options.sessionTtlMinutes !== undefined ? { sessionTtlMinutes: options.sessionTtlMinutes } : {}),
    });
    let closed = false;
    return {
      store,
      pool,
      async close() {
        if (closed) return;
        closed = true;
        await store.close();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end().catch(() => undefined); // already failing: the first error is the one to report
    throw error;
  }
}
