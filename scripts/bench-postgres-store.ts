import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createPool } from '../src/adapters/postgres/connect.ts';
import { migrate } from '../src/adapters/postgres/migrate.ts';
import { createPostgresStore } from '../src/adapters/postgres/store.ts';
import { createLogger } from '../src/lib/logger.ts';
import { round, sample } from './bench-store.ts';

/**
 * The cost of storing one exchange in PostgreSQL with `prefill` rows already there, against an
 * empty table in the same run: the store's writes should not grow with the history (one
 * B-tree insert per index). Rows are pre-filled in SQL (generate_series), spread over 180 days
 * as with the default retention, then `samples` exchanges are stored one at a time through the
 * store, as a chat would.
 */

export interface PostgresStoreBench {
  prefilled: number;
  samples: number;
  prefillSeconds: number;
  tableMiB: number;
  empty: Costs;
  full: Costs;
  server: { fsync: string; synchronousCommit: string; version: string };
}

interface Costs {
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function benchPostgresStore(url: string, opts: { prefill?: number; samples?: number } = {}): Promise<PostgresStoreBench> {
  const prefill = opts.prefill ?? 1_000_000;
  const samples = opts.samples ?? 2_000;
  const logger = createLogger('silent');
  const schema = `bench_store_${randomBytes(4).toString('hex')}`;
  const admin = createPool({ url, logger, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const pool = createPool({ url, schema, logger, max: 4 });
  try {
    await migrate(pool, logger);
    const store = await createPostgresStore({ pool, logger });
    const empty = await timeInserts(store, samples);
    await pool.query('TRUNCATE exchanges');

    const started = performance.now();
    await pool.query(
      `INSERT INTO exchanges (seq, id, at, channel, chat_key, text, intent, topic, confidence, kind, decided_by, reply)
       SELECT s, to_char(t AT TIME ZONE 'UTC', 'YYYYMMDD') || '-' || s, t, 'telegram', 'telegram:' || (i % 5000),
              '我想申请法律援助，需要带什么材料？电话138****5678', (ARRAY['legal_aid.how_to_apply','hotline.what_is','mediation.what_is','none'])[1 + i % 4],
              'legal_aid', 0.82, 'answer', 'classifier', '申请法律援助一般需要身份证明、经济困难证明和案件材料……'
       FROM generate_series(1, $1::int) AS i,
            LATERAL (SELECT nextval('exchange_seq') AS s, now() - interval '180 days' + (i::double precision / $1) * interval '180 days' AS t) AS g`,
      [prefill],
    );
    await pool.query('ANALYZE exchanges');
    const prefillSeconds = (performance.now() - started) / 1000;
    const full = await timeInserts(store, samples);
    const size = await pool.query<{ bytes: string }>(`SELECT pg_total_relation_size('exchanges')::text AS bytes`);
    const settings = await pool.query<{ fsync: string; synchronous_commit: string; server_version: string }>(
      `SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit, current_setting('server_version') AS server_version`,
    );
    await store.close();
    const row = settings.rows[0]!;
    return {
      prefilled: prefill,
      samples,
      prefillSeconds: round(prefillSeconds),
      tableMiB: Math.round(Number(size.rows[0]!.bytes) / 1024 / 1024),
      empty,
      full,
      server: { fsync: row.fsync, synchronousCommit: row.synchronous_commit, version: row.server_version },
    };
  } finally {
    await pool.end();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

async function timeInserts(store: Awaited<ReturnType<typeof createPostgresStore>>, samples: number): Promise<Costs> {
  for (let index = 0; index < 50; index += 1) await store.recordExchange(sample(new Date().toISOString(), index)); // warm the connections and plans
  const costs: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    const start = performance.now();
    await store.recordExchange(sample(new Date().toISOString(), index));
    costs.push(performance.now() - start);
  }
  costs.sort((a, b) => a - b);
  const at = (q: number) => round(costs[Math.min(costs.length - 1, Math.floor(q * costs.length))] ?? 0);
  return { meanMs: round(costs.reduce((sum, cost) => sum + cost, 0) / costs.length), p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(costs.at(-1) ?? 0) };
}

