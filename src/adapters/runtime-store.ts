import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Exchange, Feedback, RuntimeStore } from '../admin/ports.ts';
import type { DialogueState } from '../dialogue/types.ts';
import type { Logger } from '../lib/logger.ts';
import { startStoreMaintenance } from './store-maintenance.ts';
import { TEMP_FILE } from './atomic-file.ts';
import { openDayLog, type Position } from './runtime/day-log.ts';
import { openDocuments } from './runtime/documents.ts';
import { openHandoffCaseFiles } from './runtime/handoff-cases.ts';
import { lockFolder } from './runtime/folder-lock.ts';
import { createSessionFiles } from './runtime/session-files.ts';

/**
 * The embedded runtime store: what the bot writes while it runs, in the shape each kind of data
 * grows in, all under RUNTIME_DIR and owned by one process (`.lock`):
 *
 * | data                     | grows with         | kept as                                        |
 * |--------------------------|--------------------|------------------------------------------------|
 * | dialogue state           | active chats       | one small file per chat, expires after the TTL |
 * | exchanges                | every message      | append-only day files; id = day + byte offset  |
 * | feedback (👍/👎)          | ratings            | append-only day files                          |
 * | inbox statuses, handoffs | staff actions      | one small lowdb document                       |
 * | open handoff cases       | handoff messages   | the same document, while open (few)            |
 * | closed handoff cases     | handoffs closed    | append-only day files, by closing day          |
 *
 * Why files and not SQLite: Node 20 has no built-in SQLite and a native driver would be a second
 * compiled dependency (nodejieba is already one) for data that needs no queries beyond "this
 * chat" and "these days"; the shapes above give O(1) reads and writes per message, and a killed
 * process can only cut short the last line of a log, which start-up repairs. PostgreSQL is the
 * store for more than one process.
 *
 * Every write is finished before its promise resolves, so what a channel acknowledged survives a
 * `kill -9`. Corrupt files are never silently replaced: they are moved or copied aside with
 * `.corrupt-<time>` and reported; a file that cannot be read (permissions) is an error, not
 * corruption.
 */

export interface RuntimeStoreOptions {
  dir: string;
  logger: Logger;
  now?: () => Date;
  /** When set, exchanges and feedback older than this are purged on open and once a day. */
  retentionDays?: number;
  /** Sessions silent this long are deleted (default 30, the context TTL). */
  sessionTtlMinutes?: number;
}

const DEFAULT_SESSION_TTL_MINUTES = 30;

export async function createRuntimeStore(options: RuntimeStoreOptions): Promise<RuntimeStore> {
  const { dir, logger } = options;
  const now = options.now ?? (() => new Date());
  const ttlMs = (options.sessionTtlMinutes ?? DEFAULT_SESSION_TTL_MINUTES) * 60_000;
  await mkdir(dir, { recursive: true });
  const lock = lockFolder(dir);
  try {
    await removeLeftoverTemps(dir);
    const sessions = createSessionFiles(path.join(dir, 'sessions'), logger, now);
    const documents = await openDocuments(path.join(dir, 'documents.json'), logger, now);
    const exchanges = await openDayLog<Exchange>({ dir: path.join(dir, 'exchanges'), logger, now, isRecord: isExchange });
    const feedbackLog = await openDayLog<Feedback>({ dir: path.join(dir, 'feedback'), logger, now, isRecord: isFeedback });
    const cases = await openHandoffCaseFiles({ documents, dir: path.join(dir, 'handoffs'), logger, now });

    let closed = false;
    let maintenance: { stop(): void } | undefined;
    // Exchanges deleted since opening (forget, retention): the inbox rereads when this changes.
    let exchangesRemoved = 0;
    const store: RuntimeStore = {
      async getState(chatKey) {
        return (await sessions.get(chatKey))?.state;
      },
      async saveState(chatKey, state, lastExchangeId) {
        const previous = lastExchangeId === undefined ? await sessions.get(chatKey) : undefined;
        const last = lastExchangeId ?? previous?.lastExchangeId;
        await sessions.save({ chatKey, state, ...(last ? { lastExchangeId: last } : {}) });
      },
      async latestExchange(chatKey) {
        const id = (await sessions.get(chatKey))?.lastExchangeId;
        return id ? store.findExchange(id) : undefined;
      },
      async forget(chatKey) {
        await sessions.remove(chatKey);
        await feedbackLog.removeWhere((item) => item.chatKey === chatKey);
        const removed = await exchanges.removeWhere((exchange) => exchange.chatKey === chatKey);
        exchangesRemoved += removed.length;
        const data = documents.data;
        for (const [id, handoff] of Object.entries(data.handoffs)) {
          if (handoff.chatKey === chatKey) delete data.handoffs[id];
        }
        for (const exchange of removed) delete data.inbox[exchange.id];
        await cases.forget(chatKey);
        await documents.persist();
      },
      recordExchange(exchange) {
        const at = isIsoDate(exchange.at) ? exchange.at : now().toISOString();
        return exchanges.append(at.slice(0, 10), (position) => ({ id: exchangeId(position), ...exchange, at }));
      },
      async recordFeedback(feedback) {
        const at = isIsoDate(feedback.at) ? feedback.at : now().toISOString();
        await feedbackLog.append(at.slice(0, 10), () => ({ ...feedback, at }));
      },
      async exchanges(query) {
        const since = query?.since;
        const until = query?.until;
        // Day files are UTC days; the last day read is the one holding the instant just before `until`.
        const all = await exchanges.read({
          ...(since ? { fromDay: since.toISOString().slice(0, 10) } : {}),
          ...(until ? { toDay: new Date(until.getTime() - 1).toISOString().slice(0, 10) } : {}),
        });
        if (!since && !until) return all;
        return all.filter((exchange) => {
          const at = new Date(exchange.at);
          return (!since || at >= since) && (!until || at < until);
        });
      },
      exchangesRemoved: async () => exchangesRemoved,
      async findExchange(id) {
        const position = positionOfId(id);
        if (position) return exchanges.readAt(position, (exchange) => exchange.id === id);
        // Ids written before positions were part of them: look through that one day.
        const day = dayOfId(id);
        return day ? (await exchanges.readDay(day)).find((exchange) => exchange.id === id) : undefined;
      },
      async feedback() {
        // One vote per exchange and chat: a later click replaces the earlier one.
        const latest = new Map<string, Feedback>();
        for (const item of await feedbackLog.read()) {
          const key = `${item.exchangeId}\u0000${item.chatKey}`;
          latest.delete(key);
          latest.set(key, item);
        }
        return [...latest.values()];
      },
      async inboxStatuses() {
        return { ...documents.data.inbox };
      },
      async setInboxStatus(ids, status) {
        for (const id of ids) documents.data.inbox[id] = status;
        await documents.persist();
      },
      async saveHandoff(staffMessageId, chatKey) {
        documents.data.handoffs[String(staffMessageId)] = { chatKey, at: now().toISOString() };
        await documents.persist();
      },
      async findHandoff(staffMessageId) {
        return documents.data.handoffs[String(staffMessageId)]?.chatKey;
      },
      openHandoffCase: (handoff) => cases.open(handoff),
      addHandoffMessages: (id, messages) => cases.add(id, messages),
      closeHandoffCase: (id, closed) => cases.close(id, closed),
      openHandoffCases: async () => cases.listOpen(),
      findHandoffCase: (id) => cases.find(id),
      async purgeOlderThan(days, at = now()) {
        const cutoffIso = new Date(at.getTime() - days * 86_400_000).toISOString();
        const cutoffDay = cutoffIso.slice(0, 10);
        // Logs go by whole UTC days: a day file is deleted once all of it is past the cutoff.
        const exchangesDropped = await exchanges.dropDaysBefore(cutoffDay);
        exchangesRemoved += exchangesDropped;
        const removed = exchangesDropped + (await feedbackLog.dropDaysBefore(cutoffDay));
        const data = documents.data;
        for (const [id, handoff] of Object.entries(data.handoffs)) {
          if (handoff.at < cutoffIso) delete data.handoffs[id];
        }
        for (const id of Object.keys(data.inbox)) {
          const day = dayOfId(id);
          if (day !== undefined && day < cutoffDay) delete data.inbox[id];
        }
        await cases.purgeBefore(cutoffIso);
        await documents.persist();
        return removed;
      },
      expireSessions: (at = now()) => sessions.expireBefore(new Date(at.getTime() - ttlMs)),
      async flush() {
        await exchanges.drain();
        await feedbackLog.drain();
        await cases.drain();
        await documents.persist();
      },
      async close() {
        if (closed) return;
        closed = true;
        maintenance?.stop();
        try {
          await store.flush();
        } finally {
          lock.release();
        }
      },
    };

    await migrateStateFile(dir, store, logger, now);

    maintenance = await startStoreMaintenance(store, { retentionDays: options.retentionDays, sessionTtlMs: ttlMs, logger });
    return store;
  } catch (error) {
    lock.release();
    throw error;
  }
}

// === ids

/** `20240501-<offset base36>-<random>`: the day file and where the line starts in it. */
function exchangeId(position: Position): string {
  return `${position.day.replace(/-/g, '')}-${position.offset.toString(36)}-${randomBytes(3).toString('hex')}`;
}

function positionOfId(id: string): Position | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})-([0-9a-z]{1,12})-[0-9a-f]{6}$/.exec(id);
  if (!match) return undefined;
  const offset = Number.parseInt(match[4]!, 36);
  return Number.isSafeInteger(offset) ? { day: `${match[1]}-${match[2]}-${match[3]}`, offset } : undefined;
}

/** `20240501-…` → `2024-05-01`. */
function dayOfId(id: string): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})-[0-9a-z-]+$/.exec(id);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}

function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
}

function isExchange(value: unknown): value is Exchange {
  const item = value as Partial<Exchange> | null;
  return typeof item === 'object' && item !== null && typeof item.id === 'string' && typeof item.at === 'string' && typeof item.chatKey === 'string';
}

function isFeedback(value: unknown): value is Feedback {
  const item = value as Partial<Feedback> | null;
  return typeof item === 'object' && item !== null && typeof item.exchangeId === 'string' && typeof item.chatKey === 'string' && typeof item.at === 'string';
}

// === start-up

/** Temp files of writes cut short by a killed process (never a complete file: safe to delete). */
async function removeLeftoverTemps(dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  for (const entry of entries) {
    if (TEMP_FILE.test(entry)) await rm(path.join(dir, entry), { force: true });
  }
}

interface StateFileV1 {
  version: 1;
  sessions: Record<string, DialogueState>;
  feedback: Feedback[];
  inbox: Record<string, 'new' | 'done' | 'ignored'>;
  handoffs: Record<string, { chatKey: string; at: string }>;
}

/**
 * Earlier versions kept everything small in one `state.json`. Its feedback, inbox statuses,
 * handoffs and still-fresh sessions move to the new places once; the old file is kept renamed
 * `state.json.migrated-<time>`. A corrupt one is moved aside as before.
 */
async function migrateStateFile(dir: string, store: RuntimeStore, logger: Logger, now: () => Date): Promise<void> {
  const file = path.join(dir, 'state.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const stamp = now().toISOString().replace(/[:.]/g, '-');
  let old: StateFileV1;
  try {
    old = JSON.parse(text) as StateFileV1;
    if (old?.version !== 1 || typeof old.sessions !== 'object' || !Array.isArray(old.feedback)) throw new Error('not a runtime state object (version 1)');
  } catch (error) {
    const aside = `${file}.corrupt-${stamp}`;
    await rename(file, aside);
    logger.error('runtime state file is corrupt: moved aside, starting clean', { file, movedTo: aside, error });
    return;
  }
  for (const [chatKey, state] of Object.entries(old.sessions ?? {})) await store.saveState(chatKey, state);
  for (const item of old.feedback) await store.recordFeedback(item);
  for (const [id, status] of Object.entries(old.inbox ?? {})) await store.setInboxStatus([id], status);
  for (const [id, handoff] of Object.entries(old.handoffs ?? {})) {
    const messageId = Number(id);
    if (Number.isSafeInteger(messageId)) await store.saveHandoff(messageId, handoff.chatKey);
  }
  const moved = `${file}.migrated-${stamp}`;
  await rename(file, moved);
  logger.info('runtime state moved to the per-chat store', { from: file, keptAs: moved, sessions: Object.keys(old.sessions ?? {}).length, feedback: old.feedback.length });
}
