import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Logger } from '../../lib/logger.ts';
import { checkout } from './connect.ts';
import { LOCK_SPACE } from './lock-space.ts';

/**
 * Schema migrations, run by every process at start-up: the files in `migrations/` named
 * `NNN_what.sql`, in name order, each applied once and recorded in `schema_migrations`.
 *
 * All of it runs in one transaction that first takes an advisory lock, so when several
 * processes start at once one applies the migrations and the others wait, then find them
 * recorded and apply nothing. A failure rolls everything back: a process never runs against a
 * half-migrated schema.
 */

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const MIGRATION_FILE = /^\d{3}_[a-z0-9_]+\.sql$/;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

export async function migrate(pool: pg.Pool, logger: Logger, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const files = (await readdir(dir)).filter((name) => MIGRATION_FILE.test(name)).sort();
  const client = await checkout(pool, logger, 'migrations');
  let failed: unknown;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_SPACE.migrations]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((row) => row.name));
    const applied: string[] = [];
    for (const name of files) {
      if (done.has(name)) continue;
      const sql = await readFile(path.join(dir, name), 'utf8');
      try {
        await client.query(sql);
      } catch (error) {
        throw new Error(`数据库迁移 ${name} 失败：${(error as Error).message}`, { cause: error });
      }
      await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
      applied.push(name);
    }
    await client.query('COMMIT');
    if (applied.length > 0) logger.info('database migrated', { applied });
    return { applied, alreadyApplied: done.size };
  } catch (error) {
    failed = error;
    await client.query('ROLLBACK').catch(() => undefined); // the connection may be gone; release(error) drops it
    throw error;
  } finally {
    client.done(failed instanceof Error ? failed : undefined);
  }
}
