import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Exchange, Feedback, HandoffCase, InboxStatus, RuntimeStore } from '../../admin/ports.ts';
import type { DialogueState } from '../../dialogue/types.ts';
import type { Logger } from '../../lib/logger.ts';
import { startStoreMaintenance } from '../store-maintenance.ts';
import { checkout } from './connect.ts';

/**
 * The RuntimeStore in PostgreSQL, for several processes sharing one set of runtime data
 * (tables in migrations/001_runtime_store.sql). Same contract as the embedded store
 * (test/adapters/store-contract.ts): every write has committed before its promise resolves, so
 * whatever a channel acknowledged survives a killed process, and the cost of a write does not
 * grow with the history (one index insert per row).
 *
 * Times are stored as timestamptz and given back as ISO strings with milliseconds, as the
 * channels write them.
 */

export interface PostgresStoreOptions {
  pool: pg.Pool;
  logger: Logger;
  now?: () => Date;
  /** When set, exchanges and feedback older than this are purged on open and once a day. */
  retentionDays?: number;
  /** Sessions silent this long are deleted (default 30, the context TTL). */
  sessionTtlMinutes?: number;
  /** Rows deleted per statement by the purge, so it never holds long locks (default 5000). */
  purgeBatch?: number;
}

const DEFAULT_SESSION_TTL_MINUTES = 30;

const EXCHANGE_COLUMNS = `id, at, channel, chat_key, text, intent, topic, confidence, kind, decided_by, reply`;

interface ExchangeRow {
  id: string;
  at: Date;
  channel: Exchange['channel'];
  chat_key: string;
  text: string;
  intent: string;
  topic: string;
  confidence: number;
  kind: Exchange['kind'];
  decided_by: Exchange['decidedBy'];
  reply: string;
}

interface HandoffRow {
  id: string;
  chat_key: string;
  channel: HandoffCase['channel'];
  opened_at: Date;
  messages: HandoffCase['messages'];
  closed_at: Date | null;
  closed_by: string | null;
}

const HANDOFF_COLUMNS = 'id, chat_key, channel, opened_at, messages, closed_at, closed_by';

function toHandoffCase(row: HandoffRow): HandoffCase {
  return {
    id: row.id,
    chatKey: row.chat_key,
    channel: row.channel,
    openedAt: row.opened_at.toISOString(),
    messages: row.messages,
    ...(row.closed_at ? { closedAt: row.closed_at.toISOString() } : {}),
    ...(row.closed_by ? { closedBy: row.closed_by } : {}),
  };
}

export async function createPostgresStore(options: PostgresStoreOptions): Promise<RuntimeStore> {
  const { pool, logger } = options;
  const now = options.now ?? (() => new Date());
  const ttlMs = (options.sessionTtlMinutes ?? DEFAULT_SESSION_TTL_MINUTES) * 60_000;
  const batch = options.purgeBatch ?? 5000;
  // Writes started and not yet finished, so flush() and close() can wait for them.
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.then(
      () => inFlight.delete(work),
      () => inFlight.delete(work),
    );
    return work;
  };
  const query = <R extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => track(pool.query<R>(sql, values));

  let closed = false;
  let maintenance: { stop(): void } | undefined;
  const store: RuntimeStore = {
    async getState(chatKey) {
      const { rows } = await query<{ state: DialogueState }>('SELECT state FROM sessions WHERE chat_key = $1', [chatKey]);
      return rows[0]?.state;
    },
    async saveState(chatKey, state, lastExchangeId) {
      // A save without an exchange (a button that stored none) keeps the chat's latest one.
      await query(
        `INSERT INTO sessions (chat_key, state, last_exchange_id, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (chat_key) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at,
           last_exchange_id = COALESCE(EXCLUDED.last_exchange_id, sessions.last_exchange_id)`,
        [chatKey, JSON.stringify(state), lastExchangeId ?? null, now()],
      );
    },
    async latestExchange(chatKey) {
      const { rows } = await query<ExchangeRow>(
        `SELECT ${EXCHANGE_COLUMNS.split(', ').map((column) => `e.${column}`).join(', ')}
         FROM sessions s JOIN exchanges e ON e.id = s.last_exchange_id WHERE s.chat_key = $1`,
        [chatKey],
      );
      return rows[0] ? toExchange(rows[0]) : undefined;
    },
    async forget(chatKey) {
      await transaction(pool, logger, track, async (client) => {
        await client.query('DELETE FROM sessions WHERE chat_key = $1', [chatKey]);
        await client.query('DELETE FROM feedback WHERE chat_key = $1', [chatKey]);
        await client.query('DELETE FROM handoffs WHERE chat_key = $1', [chatKey]);
        await client.query('DELETE FROM handoff_cases WHERE chat_key = $1', [chatKey]);
        await client.query(
          `WITH gone AS (DELETE FROM exchanges WHERE chat_key = $1 RETURNING id),
           statuses AS (DELETE FROM inbox_statuses WHERE exchange_id IN (SELECT id FROM gone))
           UPDATE store_counters SET value = value + (SELECT count(*) FROM gone) WHERE name = 'exchanges_removed'`,
          [chatKey],
        );
      });
    },
    async recordExchange(exchange) {
      const at = validDate(exchange.at) ?? now();
      // The id is the UTC day and the row's sequence number, taken in the same statement.
      const { rows } = await query<{ id: string }>(
        `WITH next AS (SELECT nextval('exchange_seq') AS seq)
         INSERT INTO exchanges (seq, id, at, channel, chat_key, text, intent, topic, confidence, kind, decided_by, reply)
         SELECT seq, to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYYMMDD') || '-' || seq, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
         FROM next RETURNING id`,
        [at, exchange.channel, exchange.chatKey, exchange.text, exchange.intent, exchange.topic, exchange.confidence, exchange.kind, exchange.decidedBy, exchange.reply],
      );
      return { id: rows[0]!.id, ...exchange, at: at.toISOString() };
    },
    async recordFeedback(feedback) {
      const at = validDate(feedback.at) ?? now();
      await query(
        `INSERT INTO feedback (exchange_id, chat_key, at, value, intent, seq) VALUES ($1, $2, $3, $4, $5, nextval('feedback_seq'))
         ON CONFLICT (exchange_id, chat_key) DO UPDATE SET at = EXCLUDED.at, value = EXCLUDED.value, intent = EXCLUDED.intent, seq = EXCLUDED.seq`,
        [feedback.exchangeId, feedback.chatKey, at, feedback.value, feedback.intent],
      );
    },
    async exchanges(filter) {
      const { rows } = await query<ExchangeRow>(
        `SELECT ${EXCHANGE_COLUMNS} FROM exchanges WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2) ORDER BY at, seq`,
        [filter?.since ?? null, filter?.until ?? null],
      );
      return rows.map(toExchange);
    },
    async exchangesRemoved() {
      const { rows } = await query<{ value: string }>("SELECT value FROM store_counters WHERE name = 'exchanges_removed'");
      return Number(rows[0]?.value ?? 0);
    },
    async findExchange(id) {
      const { rows } = await query<ExchangeRow>(`SELECT ${EXCHANGE_COLUMNS} FROM exchanges WHERE id = $1`, [id]);
      return rows[0] ? toExchange(rows[0]) : undefined;
    },
    async feedback() {
      const { rows } = await query<{ exchange_id: string; chat_key: string; at: Date; value: Feedback['value']; intent: string }>(
        'SELECT exchange_id, chat_key, at, value, intent FROM feedback ORDER BY seq',
      );
      return rows.map((row) => ({ exchangeId: row.exchange_id, at: row.at.toISOString(), chatKey: row.chat_key, value: row.value, intent: row.intent }));
    },
    async inboxStatuses() {
      const { rows } = await query<{ exchange_id: string; status: InboxStatus }>('SELECT exchange_id, status FROM inbox_statuses');
      return Object.fromEntries(rows.map((row) => [row.exchange_id, row.status]));
    },
    async setInboxStatus(ids, status) {
      if (ids.length === 0) return;
      await query(
        `INSERT INTO inbox_statuses (exchange_id, status, updated_at) SELECT id, $2, $3 FROM unnest($1::text[]) AS id
         ON CONFLICT (exchange_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at`,
        [[...new Set(ids)], status, now()],
      );
    },
    async saveHandoff(staffMessageId, chatKey) {
      await query(
        `INSERT INTO handoffs (staff_message_id, chat_key, at) VALUES ($1, $2, $3)
         ON CONFLICT (staff_message_id) DO UPDATE SET chat_key = EXCLUDED.chat_key, at = EXCLUDED.at`,
        [staffMessageId, chatKey, now()],
      );
    },
    async findHandoff(staffMessageId) {
      const { rows } = await query<{ chat_key: string }>('SELECT chat_key FROM handoffs WHERE staff_message_id = $1', [staffMessageId]);
      return rows[0]?.chat_key;
    },
    async openHandoffCase(handoff) {
      const id = `${handoff.openedAt.slice(0, 10).replace(/-/g, '')}-${randomBytes(5).toString('hex')}`;
      const { rows } = await query<HandoffRow>(
        `INSERT INTO handoff_cases (id, chat_key, channel, opened_at, messages) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING ${HANDOFF_COLUMNS}`,
        [id, handoff.chatKey, handoff.channel, handoff.openedAt, JSON.stringify(handoff.messages)],
      );
      return toHandoffCase(rows[0]!);
    },
    async addHandoffMessages(id, messages) {
      const { rows } = await query<HandoffRow>(
        `UPDATE handoff_cases SET messages = messages || $2::jsonb WHERE id = $1 AND closed_at IS NULL RETURNING ${HANDOFF_COLUMNS}`,
        [id, JSON.stringify(messages)],
      );
      return rows[0] ? toHandoffCase(rows[0]) : undefined;
    },
    async closeHandoffCase(id, closed) {
      // The first close wins: a second one finds no open row.
      const { rows } = await query<HandoffRow>(
        `UPDATE handoff_cases SET closed_at = $2, closed_by = $3 WHERE id = $1 AND closed_at IS NULL RETURNING ${HANDOFF_COLUMNS}`,
        [id, closed.at, closed.by],
      );
      return rows[0] ? toHandoffCase(rows[0]) : undefined;
    },
    async openHandoffCases() {
      const { rows } = await query<HandoffRow>(`SELECT ${HANDOFF_COLUMNS} FROM handoff_cases WHERE closed_at IS NULL ORDER BY opened_at, seq`);
      return rows.map(toHandoffCase);
    },
    async findHandoffCase(id) {
      const { rows } = await query<HandoffRow>(`SELECT ${HANDOFF_COLUMNS} FROM handoff_cases WHERE id = $1`, [id]);
      return rows[0] ? toHandoffCase(rows[0]) : undefined;
    },
    purgeOlderThan: (days, at = now()) => purge(days, at),
    async expireSessions(at = now()) {
      const { rowCount } = await query('DELETE FROM sessions WHERE updated_at < $1', [new Date(at.getTime() - ttlMs)]);
      return rowCount ?? 0;
    },
    async flush() {
      await Promise.allSettled([...inFlight]);
    },
    async close() {
      if (closed) return;
      closed = true;
      maintenance?.stop();
      await store.flush();
    },
  };

  /**
   * Like the embedded store, logs go by whole UTC days: everything before the cutoff's day goes.
   * Deleted in batches of `batch` rows, each its own statement, so a first purge of a large
   * history never locks the tables for long; an exchange's inbox status goes with it.
   */
  async function purge(days: number, at: Date): Promise<number> {
    const cutoff = new Date(at.getTime() - days * 86_400_000);
    const cutoffDay = new Date(`${cutoff.toISOString().slice(0, 10)}T00:00:00.000Z`);
    let removed = 0;
    const batches = async (sql: string, values: unknown[]) => {
      for (;;) {
        const { rows } = await query<{ n: number }>(sql, values);
        const count = rows[0]?.n ?? 0;
        removed += count;
        if (count < batch) return;
      }
    };
    await batches(
      `WITH gone AS (DELETE FROM exchanges WHERE seq IN (SELECT seq FROM exchanges WHERE at < $1 ORDER BY at LIMIT $2) RETURNING id),
       statuses AS (DELETE FROM inbox_statuses WHERE exchange_id IN (SELECT id FROM gone)),
       counted AS (UPDATE store_counters SET value = value + (SELECT count(*) FROM gone) WHERE name = 'exchanges_removed')
       SELECT count(*)::int AS n FROM gone`,
      [cutoffDay, batch],
    );
    await batches(
      `WITH gone AS (DELETE FROM feedback WHERE (exchange_id, chat_key) IN
         (SELECT exchange_id, chat_key FROM feedback WHERE at < $1 LIMIT $2) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [cutoffDay, batch],
    );
    await query('DELETE FROM handoffs WHERE at < $1', [cutoff]);
    await query('DELETE FROM handoff_cases WHERE opened_at < $1', [cutoff]);
    // Statuses set on ids that were never stored here (or already gone) age out too.
    await query('DELETE FROM inbox_statuses s WHERE updated_at < $1 AND NOT EXISTS (SELECT 1 FROM exchanges e WHERE e.id = s.exchange_id)', [cutoff]);
    return removed;
  }

  // Every process runs this; two deleting the same rows at once is harmless (DELETE is idempotent).
  maintenance = await startStoreMaintenance(store, { retentionDays: options.retentionDays, sessionTtlMs: ttlMs, logger });
  return store;
}

function toExchange(row: ExchangeRow): Exchange {
  return {
    id: row.id,
    at: row.at.toISOString(),
    channel: row.channel,
    chatKey: row.chat_key,
    text: row.text,
    intent: row.intent,
    topic: row.topic,
    confidence: row.confidence,
    kind: row.kind,
    decidedBy: row.decided_by,
    reply: row.reply,
  };
}

function validDate(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Runs `work` in one transaction on one pooled connection; rolls back when it throws. */
export async function transaction<T>(
  pool: pg.Pool,
  logger: Logger,
  track: <U>(work: Promise<U>) => Promise<U>,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const run = async () => {
    const client = await checkout(pool, logger, 'transaction');
    let failed: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      failed = error as Error;
      await client.query('ROLLBACK').catch(() => undefined); // the connection may be gone; release(error) drops it
      throw error;
    } finally {
      client.done(failed);
    }
  };
  return track(run());
}
