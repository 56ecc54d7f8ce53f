import { randomBytes } from 'node:crypto';
import type { HandoffCase, HandoffMessage } from '../../admin/ports.ts';
import type { Logger } from '../../lib/logger.ts';
import { openDayLog } from './day-log.ts';
import type { DocumentStore } from './documents.ts';

/**
 * Handoff cases in the embedded store, kept in the shape each state grows in:
 *
 * - Open cases are few and change with every message of a handoff, so they live in
 *   documents.json (small, rewritten whole; each change written before it is acknowledged).
 * - A closed case never changes again: it moves to an append-only day log
 *   (`handoffs/<closing day>.jsonl`), so documents.json does not grow with the history and
 *   retention deletes whole days.
 *
 * Closing never loses a case: it is first marked closed in documents.json (from then on it takes
 * no messages and is not listed open), then appended to the log, then removed from
 * documents.json. A process killed between the steps leaves a closed case in documents.json;
 * opening the store finishes the move, skipping the append when the log already has it.
 */

export interface HandoffCaseFiles {
  open(handoff: Omit<HandoffCase, 'id' | 'closedAt' | 'closedBy'>): Promise<HandoffCase>;
  add(id: string, messages: HandoffMessage[]): Promise<HandoffCase | undefined>;
  close(id: string, closed: { at: string; by: string }): Promise<HandoffCase | undefined>;
  listOpen(): HandoffCase[];
  find(id: string): Promise<HandoffCase | undefined>;
  /** Drops the chat's cases; the caller persists the documents. */
  forget(chatKey: string): Promise<void>;
  /** Drops cases opened before `cutoffIso` and closed-case days before its day; the caller persists. */
  purgeBefore(cutoffIso: string): Promise<void>;
  drain(): Promise<void>;
}

export async function openHandoffCaseFiles(options: { documents: DocumentStore; dir: string; logger: Logger; now: () => Date }): Promise<HandoffCaseFiles> {
  const { documents, logger } = options;
  const cases = () => documents.data.cases;
  const log = await openDayLog<HandoffCase>({ dir: options.dir, logger, now: options.now, isRecord: isHandoffCase });
  const copy = (item: HandoffCase): HandoffCase => structuredClone(item);

  /** Step 2 and 3 of closing: into the log (once), out of documents.json. */
  const moveToLog = async (item: HandoffCase) => {
    const day = item.closedAt!.slice(0, 10);
    const logged = (await log.readDay(day)).some((entry) => entry.id === item.id);
    if (!logged) await log.append(day, () => copy(item));
    if (cases()[item.id] === item) delete cases()[item.id]; // unless forget or purge took it meanwhile
    await documents.persist();
  };

  // Finish closings a killed process left half done.
  for (const item of Object.values(cases())) {
    if (item.closedAt !== undefined) await moveToLog(item);
  }

  return {
    async open(handoff) {
      const id = `${handoff.openedAt.slice(0, 10).replace(/-/g, '')}-${randomBytes(5).toString('hex')}`;
      const stored: HandoffCase = { ...copy(handoff as HandoffCase), id };
      cases()[id] = stored;
      await documents.persist();
      return copy(stored);
    },

    async add(id, messages) {
      const item = cases()[id];
      if (!item || item.closedAt !== undefined) return undefined;
      item.messages.push(...structuredClone(messages));
      await documents.persist();
      return copy(item);
    },

    async close(id, closed) {
      const item = cases()[id];
      if (!item || item.closedAt !== undefined) return undefined;
      item.closedAt = closed.at;
      item.closedBy = closed.by;
      try {
        await documents.persist(); // step 1: durable as closed before anyone is told so
      } catch (error) {
        delete item.closedAt;
        delete item.closedBy;
        throw error;
      }
      const result = copy(item);
      // The close is stored; the move is tidying, finished at the next start if it fails now.
      await moveToLog(item).catch((error: unknown) => logger.error('closed handoff case not moved to its log yet', { id, error }));
      return result;
    },

    listOpen() {
      return Object.values(cases())
        .filter((item) => item.closedAt === undefined)
        .sort((a, b) => a.openedAt.localeCompare(b.openedAt))
        .map(copy);
    },

    async find(id) {
      const current = cases()[id];
      if (current) return copy(current);
      // A closed case is in the log of the day it closed, which is not before the day it opened.
      const match = /^(\d{4})(\d{2})(\d{2})-[0-9a-f]+$/.exec(id);
      if (!match) return undefined;
      const found = (await log.read({ fromDay: `${match[1]}-${match[2]}-${match[3]}` })).find((item) => item.id === id);
      return found ? copy(found) : undefined;
    },

    async forget(chatKey) {
      for (const [id, item] of Object.entries(cases())) if (item.chatKey === chatKey) delete cases()[id];
      await log.removeWhere((item) => item.chatKey === chatKey);
    },

    async purgeBefore(cutoffIso) {
      for (const [id, item] of Object.entries(cases())) if (item.openedAt < cutoffIso) delete cases()[id];
      await log.dropDaysBefore(cutoffIso.slice(0, 10));
    },

    drain: () => log.drain(),
  };
}

function isHandoffCase(value: unknown): value is HandoffCase {
  const item = value as Partial<HandoffCase> | null;
  return typeof item === 'object' && item !== null && typeof item.id === 'string' && typeof item.chatKey === 'string' && Array.isArray(item.messages);
}
