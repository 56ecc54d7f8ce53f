import pg from 'pg';
import type { Logger } from '../../lib/logger.ts';

/**
 * The one place that builds `pg` pools and clients. Every other PostgreSQL adapter takes a pool
 * from here, so the connection settings (timeouts, schema, the error listener that keeps a
 * dropped idle connection from crashing the process) exist once.
 */

export interface ConnectOptions {
  url: string;
  /** Connections this pool may open (default 10). */
  max?: number;
  /** Tables live in this schema (tests give each test its own); default: the server's search_path. */
  schema?: string;
  logger: Logger;
  /** A name for the log, e.g. "queries" or "chat locks". */
  name?: string;
}

/** Start-up could not reach the database: main.ts prints the message and exits 1. */
export class DatabaseUnavailableError extends Error {
  constructor(url: string, cause: unknown) {
    super(
      `无法连接 PostgreSQL（DATABASE_URL=${redactUrl(url)}）：${(cause as Error)?.message ?? String(cause)}\n` +
        '请确认数据库正在运行、地址、端口、用户名和密码正确，且本机可以访问；' +
        '不需要多进程时可以不设置 DATABASE_URL，机器人会使用内置存储（RUNTIME_DIR）。',
      { cause },
    );
    this.name = 'DatabaseUnavailableError';
  }
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL at all: config validation rejects that before we get here; show nothing of it.
    return '(无法解析的地址)';
  }
}

function settings(options: ConnectOptions): pg.ClientConfig {
  return {
    connectionString: options.url,
    // A database that does not answer must not hang start-up or a turn forever.
    connectionTimeoutMillis: 10_000,
    ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
  };
}

export function createPool(options: ConnectOptions): pg.Pool {
  const pool = new pg.Pool({ ...settings(options), max: options.max ?? 10, idleTimeoutMillis: 30_000 });
  // An idle connection that the server drops emits 'error' on the pool; unhandled, it would
  // take the whole process down. The pool replaces the connection on next use.
  pool.on('error', (error) => options.logger.warn('postgres idle connection lost', { pool: options.name, error }));
  return pool;
}

/** A client outside any pool, for LISTEN (it must stay on one connection). */
export function createClient(options: ConnectOptions): pg.Client {
  return new pg.Client(settings(options));
}

/**
 * A pooled connection held across awaits (a transaction, a lock, a claim). While it is checked
 * out the pool no longer listens for its errors, and a connection the server drops meanwhile
 * (restart, pg_terminate_backend, network) emits 'error' on the client: with no listener that
 * would crash the process. The query in progress fails on its own; this only reports it.
 */
export async function checkout(pool: pg.Pool, logger: Logger, what: string): Promise<pg.PoolClient & { done(error?: Error): void }> {
  const client = await pool.connect();
  const onError = (error: Error) => logger.warn('postgres connection lost while held', { what, error });
  client.on('error', onError);
  return Object.assign(client, {
    done(error?: Error) {
      client.removeListener('error', onError);
      client.release(error);
    },
  });
}

/** Checks that the database answers; throws DatabaseUnavailableError in Chinese otherwise. */
export async function checkConnection(pool: pg.Pool, url: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    throw new DatabaseUnavailableError(url, error);
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
