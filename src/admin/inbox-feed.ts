import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { createKeyedQueue } from '../lib/keyed-queue.ts';
import { createInboxIndex, type InboxIndex, type InboxPage, type InboxPageQuery } from './inbox-index.ts';
import type { Exchange, RuntimeStore } from './ports.ts';

/**
 * Feeds the review inbox from the runtime store. Each visit reads only the exchanges recorded
 * since the last one it saw, plus the 👎 and statuses (small, in memory in the store), and hands
 * the index what changed. A visit therefore costs about the new messages, not the whole history.
 */

export interface InboxFeedOptions {
  store: RuntimeStore;
  /** Confidence under which a classifier answer counts as low (CONFIDENCE_THRESHOLD). */
  threshold: number;
  minSimilarity?: number;
  /** How far back the inbox looks, in whole UTC days (so the window moves once a day). */
  lookbackDays?: number;
  now?: () => Date;
  /** Exchanges grouped between two yields to the event loop, so chat requests interleave. */
  chunkSize?: number;
}

export interface InboxFeed {
  view(query: InboxPageQuery): Promise<InboxPage>;
}

const DAY_MS = 86_400_000;
/**
 * An exchange is stamped when its request starts and appended when it ends, so one can land
 * after a later-stamped one. Rereading this far back (and skipping known ids) catches it.
 */
const LATE_ARRIVAL_MS = 10 * 60_000;

export function createInboxFeed(options: InboxFeedOptions): InboxFeed {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const lookbackDays = options.lookbackDays ?? 60;
  const chunkSize = options.chunkSize ?? 500;
  // One sync at a time: two admins opening the inbox together must not add the same exchanges twice.
  const queue = createKeyedQueue();
  let index: InboxIndex = createInboxIndex(options);
  /** What the last sync saw: the newest exchange time (ms), the store's removal count, the window. */
  let seen: { latest: number; removed: number; windowStart: string } | undefined;

  async function sync(): Promise<void> {
    const removed = await store.exchangesRemoved();
    const windowStart = new Date(Math.floor((now().getTime() - lookbackDays * DAY_MS) / DAY_MS) * DAY_MS).toISOString();
    const reread = !seen || seen.removed !== removed;
    const since = reread ? Date.parse(windowStart) : Math.max(Date.parse(windowStart), seen!.latest - LATE_ARRIVAL_MS);
    const [exchanges, feedback, statuses] = await Promise.all([
      store.exchanges({ since: new Date(since) }),
      store.feedback(),
      store.inboxStatuses(),
    ]);
    if (seen && reread) {
      // Something was deleted (forget, retention): drop the items whose exchange is gone.
      const present = new Set(exchanges.map((exchange) => exchange.id));
      index.remove(index.ids().filter((id) => !present.has(id)));
    }
    if (seen && seen.windowStart !== windowStart) index.expire(windowStart);

    const unknown = index.setDisliked(new Set(feedback.filter((entry) => entry.value === 'down').map((entry) => entry.exchangeId)));
    const inBatch = new Set(exchanges.map((exchange) => exchange.id));
    // A 👎 on an answer that was fine when it arrived: look that one exchange up (once per 👎).
    const disliked = seen ? await lookUp(unknown.filter((id) => !inBatch.has(id)), windowStart) : [];
    index.setStatuses(statuses);

    const incoming = [...disliked, ...exchanges];
    for (let start = 0; start < incoming.length; start += chunkSize) {
      if (start > 0) await yieldToEventLoop();
      index.add(incoming.slice(start, start + chunkSize));
    }
    const latest = exchanges.reduce((max, exchange) => Math.max(max, Date.parse(exchange.at) || 0), seen?.latest ?? 0);
    seen = { latest, removed, windowStart };
  }

  async function lookUp(ids: string[], windowStart: string): Promise<Exchange[]> {
    const found = await Promise.all(ids.map((id) => store.findExchange(id)));
    return found.filter((exchange): exchange is Exchange => exchange !== undefined && exchange.at >= windowStart);
  }

  return {
    view: (query) =>
      queue.run('sync', async () => {
        try {
          await sync();
        } catch (error) {
          // A half-applied sync would leave the index unlike the store: start over next visit.
          index = createInboxIndex(options);
          seen = undefined;
          throw error;
        }
        return index.page(query);
      }),
  };
}
