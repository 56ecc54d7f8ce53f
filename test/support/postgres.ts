import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createPool } from '../../src/adapters/postgres/connect.ts';
import { createLogger, type Logger } from '../../src/lib/logger.ts';

/**
 * PostgreSQL for the tests that need it. TEST_DATABASE_URL names a server the tests may write
 * to (.ci/run starts one with scripts/test-postgres.sh); unset, those tests skip themselves and
 * say why. Each test gets a schema of its own, dropped afterwards, so tests never see each
 * other's rows and can run while other files use the same server.
 */

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;

export const SKIP_REASON =
  'skipped: TEST_DATABASE_URL is not set. .ci/run starts PostgreSQL and sets it; locally run `eval "$(bash scripts/test-postgres.sh start)"` first';

export interface TestSchema {
  url: string;
  schema: string;
  logger: Logger;
  /** A new pool on this schema, as a separate process would open (closed by drop()). */
  pool(max?: number): pg.Pool;
  drop(): Promise<void>;
}

export async function createTestSchema(logger: Logger = createLogger('silent')): Promise<TestSchema> {
  const url = TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = createPool({ url, logger, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const pools: pg.Pool[] = [];
  return {
    url,
    schema,
    logger,
    pool(max = 10) {
      const pool = createPool({ url, schema, logger, max });
      pools.push(pool);
      return pool;
    },
    async drop() {
      await Promise.allSettled(pools.map((pool) => pool.end()));
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}
