import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { KnowledgePublished } from '../../admin/follow-publishes.ts';
import type { Logger } from '../../lib/logger.ts';
import { quoteIdent } from './connect.ts';

/**
 * Tells every process that knowledge was published, over PostgreSQL LISTEN/NOTIFY: the process
 * where the console published has already reloaded; the others reload when told.
 *
 * LISTEN needs one connection kept open (not a pooled one, which would be handed to others), so
 * the listener owns a client and reconnects with a growing wait when it drops. A notification
 * sent while it was disconnected is lost, so after every reconnection `onReconnected` runs (the
 * composition root reloads then, which costs little when nothing changed).
 */

export const KNOWLEDGE_CHANNEL = 'knowledge_published';

export interface KnowledgeChannelOptions {
  /** A new, unconnected client for LISTEN (connect.ts createClient). */
  client: () => pg.Client;
  /** For NOTIFY. */
  pool: pg.Pool;
  logger: Logger;
  onPublished: (published: KnowledgePublished) => Promise<void>;
  onReconnected?: () => Promise<void>;
  /** Another channel name (tests that share a database). */
  channel?: string;
}

export interface KnowledgeChannel {
  /** This process's id in notifications: its own are not acted on twice. */
  origin: string;
  start(): Promise<void>;
  announce(published: Omit<KnowledgePublished, 'origin'>): Promise<void>;
  close(): Promise<void>;
}

export function createKnowledgeChannel(options: KnowledgeChannelOptions): KnowledgeChannel {
  const { logger } = options;
  const channel = options.channel ?? KNOWLEDGE_CHANNEL;
  const origin = `${process.pid}-${randomBytes(4).toString('hex')}`;
  let listener: pg.Client | undefined;
  let closed = false;
  let retryMs = 500;
  let timer: NodeJS.Timeout | undefined;

  async function listen(): Promise<void> {
    const client = options.client();
    client.on('notification', (message) => {
      if (message.channel !== channel || !message.payload) return;
      let published: KnowledgePublished;
      try {
        published = JSON.parse(message.payload) as KnowledgePublished;
      } catch (error) {
        logger.warn('unreadable knowledge notification ignored', { payload: message.payload.slice(0, 200), error });
        return;
      }
      if (published.origin === origin) return;
      options.onPublished(published).catch((error: unknown) => logger.error('reload after a publish elsewhere failed', { error }));
    });
    // 'error' and then 'end' come together on a dropped connection: reconnect once, for 'end'.
    client.on('error', (error) => logger.warn('knowledge listener connection lost', { error }));
    client.on('end', () => {
      if (listener === client) listener = undefined;
      if (!closed) reconnectLater();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (error) {
      await client.end().catch(() => undefined); // half-open: drop it; the caller retries
      throw error;
    }
    listener = client;
    retryMs = 500;
  }

  function reconnectLater() {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      listen()
        .then(() => {
          logger.info('knowledge listener reconnected');
          return options.onReconnected?.();
        })
        .catch((error: unknown) => {
          logger.warn('knowledge listener could not reconnect; trying again', { error, retryMs });
          retryMs = Math.min(retryMs * 2, 30_000);
          reconnectLater();
        });
    }, retryMs);
    timer.unref();
  }

  return {
    origin,
    start: listen,
    async announce(published) {
      await options.pool.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ ...published, origin })]);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const client = listener;
      listener = undefined;
      await client?.end().catch(() => undefined); // closing anyway
    },
  };
}
