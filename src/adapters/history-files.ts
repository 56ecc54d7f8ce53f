import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { NotFoundError, StateError } from '../admin/errors.ts';
import type { HistoryListing, HistoryRecord, HistoryStore, KnowledgeFiles } from '../admin/publish-ports.ts';
import { writeFileAtomic } from './atomic-file.ts';

/**
 * Publish history under RUNTIME_DIR/history/: one JSON file per publish or rollback holding who,
 * when, what changed, and every intent/fact file as it was *before* that action — so "roll back
 * to before this entry" restores exactly that set. A record is first written together with the
 * knowledge files it belongs to (knowledge-writer.ts, through the publish journal), so a crash
 * never leaves an entry for a publish that did not happen, nor a publish without its entry.
 */

const ID = /^[0-9TZ]+-[0-9a-f]+$/;

const RecordSchema = z.object({
  entry: z.object({
    id: z.string().regex(ID),
    at: z.string(),
    by: z.string(),
    action: z.enum(['publish', 'rollback']),
    changes: z.array(
      z.object({ kind: z.enum(['intent', 'fact']), id: z.string(), action: z.enum(['add', 'edit', 'delete']), by: z.string(), at: z.string() }),
    ),
    accuracy: z.object({ before: z.number(), after: z.number(), total: z.number() }).optional(),
    confirmedDangers: z.number().optional(),
    rollbackOf: z.string().optional(),
    version: z.number().optional(),
  }),
  filesBefore: z.record(z.string(), z.string()),
});

export function historyFile(dir: string, id: string): string {
  return join(dir, `${id}.json`);
}

export function encodeHistoryRecord(record: HistoryRecord): string {
  return JSON.stringify(record);
}

/** Parses one history file; throws with the reason when it is not JSON or not a record. */
function decode(text: string): HistoryRecord {
  const result = RecordSchema.safeParse(JSON.parse(text));
  if (!result.success) throw new Error(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  return result.data as HistoryRecord;
}

export function createHistoryFiles(dir: string, now: () => Date = () => new Date()): HistoryStore {
  return {
    newId(): string {
      const stamp = now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
      return `${stamp}-${randomBytes(3).toString('hex')}`;
    },

    async update(record: HistoryRecord): Promise<void> {
      await writeFileAtomic(historyFile(dir, record.entry.id), encodeHistoryRecord(record), { durable: true });
    },

    /** One file that cannot be read is listed as unreadable; the others still show. */
    async list(): Promise<HistoryListing> {
      let names: string[] = [];
      try {
        names = await readdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // no history yet
      }
      const listing: HistoryListing = { entries: [], unreadable: [] };
      for (const name of names.filter((entry) => entry.endsWith('.json')).sort()) {
        try {
          listing.entries.push(decode(await readFile(join(dir, name), 'utf8')).entry);
        } catch (error) {
          listing.unreadable.push({ file: name, reason: (error as Error).message });
        }
      }
      listing.entries.sort((a, b) => b.id.localeCompare(a.id));
      return listing;
    },

    async filesBefore(id: string): Promise<KnowledgeFiles> {
      if (!ID.test(id)) throw new NotFoundError('history', id);
      let text: string;
      try {
        text = await readFile(historyFile(dir, id), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('history', id);
        throw error;
      }
      try {
        return decode(text).filesBefore;
      } catch (error) {
        throw new StateError(`历史记录 ${id} 无法读取（${(error as Error).message}），不能回滚到它`);
      }
    },
  };
}
