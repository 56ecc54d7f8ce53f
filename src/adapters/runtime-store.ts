import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Exchange, Feedback, InboxStatus, RuntimeStore } from '../admin/ports.ts';
import type { DialogueState } from '../dialogue/types.ts';
import type { Logger } from '../lib/logger.ts';

/**
 * Runtime data written by the bot, in two shapes chosen for how each grows:
 *
 * - Small state (sessions, feedback, inbox statuses, handoffs) lives in one lowdb file,
 *   `state.json`. lowdb rewrites the whole file on every write, so writes are debounced: many
 *   changes within `STATE_WRITE_DELAY_MS` cost one atomic rewrite (steno: temp file + rename).
 *   It stays small because sessions expire and feedback/handoffs are purged with retention.
 * - Exchanges are the one collection that grows with traffic. They go to append-only JSON-lines
 *   files, one per UTC day: `exchanges/2024-05-01.jsonl`. Storing one more exchange is one
 *   `appendFile` of one line, whatever the history holds, and concurrent calls are grouped into
 *   a single append (group commit). Retention deletes whole day files. An exchange id starts
 *   with its day, so `findExchange` reads one file.
 *
 * Corrupt files are never silently replaced: `state.json` that does not parse is moved aside to
 * `state.json.corrupt-<time>` and the store starts clean; a day file with unreadable lines (a
 * crash mid-append) is moved aside the same way and its readable lines are kept.
 */

const STATE_WRITE_DELAY_MS = 200;

interface StateData {
  version: 1;
  sessions: Record<string, DialogueState>;
  feedback: Feedback[];
  inbox: Record<string, InboxStatus>;
  handoffs: Record<string, { chatKey: string; at: string }>;
}

export interface RuntimeStoreOptions {
  dir: string;
  logger: Logger;
  now?: () => Date;
  /** When set, exchanges and feedback older than this are purged on open and once a day. */
  retentionDays?: number;
}

export async function createRuntimeStore(options: RuntimeStoreOptions): Promise<RuntimeStore> {
  const { dir, logger } = options;
  const now = options.now ?? (() => new Date());
  const exchangesDir = path.join(dir, 'exchanges');
  await mkdir(exchangesDir, { recursive: true });

  const db = await openState(path.join(dir, 'state.json'), logger, now);
  const log = await openExchangeLog(exchangesDir, logger, now);

  // === small state: debounced lowdb writes
  let writeTimer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const scheduleStateWrite = () => {
    if (writeTimer) return;
    writeTimer = setTimeout(() => {
      writeTimer = undefined;
      writing = writing.then(() => db.write()).catch((error: unknown) => {
        logger.error('runtime state write failed', { file: path.join(dir, 'state.json'), error });
      });
    }, STATE_WRITE_DELAY_MS);
    // Unref: a pending write never keeps the process alive; shutdown calls flush().
    writeTimer.unref();
  };
  const flushState = async () => {
    if (writeTimer) {
      clearTimeout(writeTimer);
      writeTimer = undefined;
      writing = writing.then(() => db.write());
    }
    await writing;
  };

  let exchangesRemoved = 0;
  const store: RuntimeStore = {
    async getState(chatKey) {
      return db.data.sessions[chatKey];
    },
    async saveState(chatKey, state) {
      db.data.sessions[chatKey] = state;
      scheduleStateWrite();
    },
    async forget(chatKey) {
      const data = db.data;
      delete data.sessions[chatKey];
      data.feedback = data.feedback.filter((item) => item.chatKey !== chatKey);
      for (const [id, handoff] of Object.entries(data.handoffs)) {
        if (handoff.chatKey === chatKey) delete data.handoffs[id];
      }
      const removed = await log.removeWhere((exchange) => exchange.chatKey === chatKey);
      exchangesRemoved += removed.length;
      for (const id of removed) delete data.inbox[id];
      scheduleStateWrite();
      await flushState();
    },
    recordExchange: (exchange) => log.append(exchange),
    async recordFeedback(feedback) {
      const data = db.data;
      // One vote per exchange and chat: a second click changes the vote.
      data.feedback = data.feedback.filter(
        (item) => !(item.exchangeId === feedback.exchangeId && item.chatKey === feedback.chatKey),
      );
      data.feedback.push(feedback);
      scheduleStateWrite();
    },
    exchanges: (query) => log.read(query?.since),
    exchangesRemoved: async () => exchangesRemoved,
    findExchange: (id) => log.find(id),
    async feedback() {
      return [...db.data.feedback];
    },
    async inboxStatuses() {
      return { ...db.data.inbox };
    },
    async setInboxStatus(ids, status) {
      for (const id of ids) db.data.inbox[id] = status;
      scheduleStateWrite();
    },
    async saveHandoff(staffMessageId, chatKey) {
      db.data.handoffs[String(staffMessageId)] = { chatKey, at: now().toISOString() };
      scheduleStateWrite();
    },
    async findHandoff(staffMessageId) {
      return db.data.handoffs[String(staffMessageId)]?.chatKey;
    },
    async purgeOlderThan(days, at = now()) {
      const cutoff = new Date(at.getTime() - days * 86_400_000);
      const cutoffIso = cutoff.toISOString();
      const data = db.data;
      const feedbackBefore = data.feedback.length;
      data.feedback = data.feedback.filter((item) => item.at >= cutoffIso);
      for (const [key, state] of Object.entries(data.sessions)) {
        if (state.updatedAt < cutoffIso) delete data.sessions[key];
      }
      for (const [id, handoff] of Object.entries(data.handoffs)) {
        if (handoff.at < cutoffIso) delete data.handoffs[id];
      }
      // Exchanges go by whole UTC days: a day file is deleted once all of it is past the cutoff.
      const cutoffDay = cutoffIso.slice(0, 10);
      const removed = await log.dropDaysBefore(cutoffDay);
      exchangesRemoved += removed;
      for (const id of Object.keys(data.inbox)) {
        const day = dayOfId(id);
        if (day !== undefined && day < cutoffDay) delete data.inbox[id];
      }
      scheduleStateWrite();
      return removed + (feedbackBefore - data.feedback.length);
    },
    async flush() {
      await log.drain();
      await flushState();
    },
  };

  if (options.retentionDays !== undefined) {
    const days = options.retentionDays;
    const purge = async () => {
      try {
        const removed = await store.purgeOlderThan(days);
        if (removed > 0) logger.info('retention purge', { removed, days });
      } catch (error) {
        logger.error('retention purge failed', { error });
      }
    };
    await purge();
    setInterval(() => void purge(), 86_400_000).unref();
  }
  return store;
}

// === state.json

async function openState(file: string, logger: Logger, now: () => Date): Promise<Low<StateData>> {
  const empty = (): StateData => ({ version: 1, sessions: {}, feedback: [], inbox: {}, handoffs: {} });
  const adapter = new DataFile<StateData>(file, {
    parse: (text) => {
      const value: unknown = JSON.parse(text);
      if (!isStateData(value)) throw new Error('not a runtime state object (version 1)');
      return value;
    },
    stringify: (data) => JSON.stringify(data),
  });
  const db = new Low<StateData>(adapter, empty());
  try {
    await db.read();
  } catch (error) {
    const aside = await moveAside(file, now);
    logger.error('runtime state file is corrupt: moved aside, starting clean', { file, movedTo: aside, error });
    db.data = empty();
  }
  return db;
}

function isStateData(value: unknown): value is StateData {
  if (typeof value !== 'object' || value === null) return false;
  const data = value as Partial<StateData>;
  return (
    data.version === 1 &&
    typeof data.sessions === 'object' && data.sessions !== null &&
    Array.isArray(data.feedback) &&
    typeof data.inbox === 'object' && data.inbox !== null &&
    typeof data.handoffs === 'object' && data.handoffs !== null
  );
}

async function moveAside(file: string, now: () => Date): Promise<string> {
  const aside = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
  await rename(file, aside);
  return aside;
}

// === exchanges: day-partitioned JSON lines

interface ExchangeLog {
  append(exchange: Omit<Exchange, 'id'>): Promise<Exchange>;
  read(since?: Date): Promise<Exchange[]>;
  find(id: string): Promise<Exchange | undefined>;
  removeWhere(predicate: (exchange: Exchange) => boolean): Promise<string[]>;
  dropDaysBefore(day: string): Promise<number>;
  drain(): Promise<void>;
}

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

async function openExchangeLog(dir: string, logger: Logger, now: () => Date): Promise<ExchangeLog> {
  const fileOf = (day: string) => path.join(dir, `${day}.jsonl`);
  const days = async () =>
    (await readdir(dir)).map((name) => DAY_FILE.exec(name)?.[1]).filter((day): day is string => !!day).sort();

  // A crash mid-append can only cut short the files still being appended to (today's, and
  // yesterday's around midnight), so those are read in full at start-up; older files only need
  // their last byte checked, which keeps opening cheap however much history there is.
  const yesterday = new Date(now().getTime() - 86_400_000).toISOString().slice(0, 10);
  for (const day of await days()) {
    if (day >= yesterday || !(await endsWithNewline(fileOf(day)))) await checkDayFile(fileOf(day), logger, now);
  }

  // Group commit: lines wait in `pending` while one append runs; the next append takes them all.
  // Every file operation runs on this one chain, so a rewrite (forget) never races an append.
  let pending: { day: string; line: string; done: () => void; failed: (error: unknown) => void }[] = [];
  let chain: Promise<void> = Promise.resolve();
  const enqueue = <T>(task: () => Promise<T>): Promise<T> => {
    const run = chain.then(task);
    chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
  const writePending = async () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const byDay = new Map<string, typeof batch>();
    for (const item of batch) byDay.set(item.day, [...(byDay.get(item.day) ?? []), item]);
    for (const [day, items] of byDay) {
      try {
        await appendFile(fileOf(day), items.map((item) => item.line).join(''), 'utf8');
        for (const item of items) item.done();
      } catch (error) {
        for (const item of items) item.failed(error);
      }
    }
  };

  const drain = () => enqueue(writePending);

  const readDay = async (day: string): Promise<Exchange[]> => {
    let text: string;
    try {
      text = await readFile(fileOf(day), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const { good, badLines } = parseLines(text);
    if (badLines.length > 0) logger.warn('exchange file has unreadable lines (skipped)', { file: fileOf(day), badLines: badLines.slice(0, 20) });
    return good;
  };

  return {
    append(exchange) {
      const at = isIsoDate(exchange.at) ? exchange.at : now().toISOString();
      const day = at.slice(0, 10);
      const stored: Exchange = { id: `${day.replace(/-/g, '')}-${randomBytes(5).toString('hex')}`, ...exchange, at };
      return new Promise<Exchange>((resolve, reject) => {
        pending.push({ day, line: `${JSON.stringify(stored)}\n`, done: () => resolve(stored), failed: reject });
        if (pending.length === 1) void enqueue(writePending);
      });
    },
    async read(since) {
      await drain();
      const fromDay = since?.toISOString().slice(0, 10) ?? '';
      const result: Exchange[] = [];
      for (const day of await days()) {
        if (day < fromDay) continue;
        for (const exchange of await readDay(day)) {
          if (!since || new Date(exchange.at) >= since) result.push(exchange);
        }
      }
      return result;
    },
    async find(id) {
      await drain();
      const day = dayOfId(id);
      if (!day) return undefined;
      return (await readDay(day)).find((exchange) => exchange.id === id);
    },
    removeWhere(predicate) {
      return enqueue(async () => {
        await writePending();
        const removed: string[] = [];
        for (const day of await days()) {
          const all = await readDay(day);
          const kept = all.filter((exchange) => !predicate(exchange));
          if (kept.length === all.length) continue;
          for (const exchange of all) if (predicate(exchange)) removed.push(exchange.id);
          await writeAtomic(fileOf(day), kept.map((exchange) => `${JSON.stringify(exchange)}\n`).join(''));
        }
        return removed;
      });
    },
    dropDaysBefore(cutoffDay) {
      return enqueue(async () => {
        await writePending();
        let removed = 0;
        for (const day of await days()) {
          if (day >= cutoffDay) continue;
          removed += (await readDay(day)).length;
          await rm(fileOf(day), { force: true });
        }
        return removed;
      });
    },
    drain,
  };
}

function parseLines(text: string): { good: Exchange[]; badLines: number[] } {
  const good: Exchange[] = [];
  const badLines: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const value = JSON.parse(line) as Exchange;
      if (typeof value?.id === 'string' && typeof value.at === 'string') good.push(value);
      else badLines.push(index + 1);
    } catch {
      badLines.push(index + 1); // counted and reported by checkDayFile
    }
  });
  return { good, badLines };
}

/** At start-up: a day file with unreadable lines is moved aside and its good lines kept. */
async function checkDayFile(file: string, logger: Logger, now: () => Date): Promise<void> {
  const text = await readFile(file, 'utf8');
  const { good, badLines } = parseLines(text);
  if (badLines.length === 0 && (text === '' || text.endsWith('\n'))) return;
  const aside = await moveAside(file, now);
  await writeAtomic(file, good.map((exchange) => `${JSON.stringify(exchange)}\n`).join(''));
  logger.error('exchange file had unreadable lines: moved aside, readable lines kept', {
    file,
    movedTo: aside,
    badLines: badLines.slice(0, 20),
    kept: good.length,
  });
}

async function endsWithNewline(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text, 'utf8');
  await rename(temp, file);
}

function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
}

/** `20240501-ab12…` → `2024-05-01`. */
function dayOfId(id: string): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})-[0-9a-f]+$/.exec(id);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}
