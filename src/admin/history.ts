import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../adapters/atomic-file.ts';
import type { KnowledgeFiles } from '../adapters/knowledge-writer.ts';
import type { DraftChange } from './drafts.ts';
import { NotFoundError } from './errors.ts';

/**
 * Publish history under RUNTIME_DIR/history/: one JSON file per publish or rollback holding who,
 * when, what changed, and every intent/fact file as it was *before* that action — so "roll back
 * to before this entry" restores exactly that set. A rollback is itself an entry, so it can be
 * undone the same way.
 */

export interface HistoryEntry {
  id: string;
  at: string;
  by: string;
  action: 'publish' | 'rollback';
  changes: DraftChange[];
  /** Held-out accuracy before and after (publish only, when the questions were available). */
  accuracy?: { before: number; after: number; total: number };
  /** For a rollback: the entry whose "before" state was restored. */
  rollbackOf?: string;
  /** The engine version that served after this entry. */
  version?: number;
}

interface StoredEntry {
  entry: HistoryEntry;
  filesBefore: KnowledgeFiles;
}

export function createHistory(dir: string, now: () => Date = () => new Date()) {
  const fileOf = (id: string) => join(dir, `${id}.json`);
  return {
    newId(): string {
      const stamp = now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
      return `${stamp}-${randomBytes(3).toString('hex')}`;
    },
    async record(entry: HistoryEntry, filesBefore: KnowledgeFiles): Promise<void> {
      await writeFileAtomic(fileOf(entry.id), JSON.stringify({ entry, filesBefore } satisfies StoredEntry));
    },
    /** Newest first. */
    async list(): Promise<HistoryEntry[]> {
      let names: string[] = [];
      try {
        names = await readdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // no history yet
      }
      const entries: HistoryEntry[] = [];
      for (const name of names.filter((entry) => entry.endsWith('.json'))) {
        const stored = JSON.parse(await readFile(join(dir, name), 'utf8')) as StoredEntry;
        entries.push(stored.entry);
      }
      return entries.sort((a, b) => b.id.localeCompare(a.id));
    },
    async filesBefore(id: string): Promise<KnowledgeFiles> {
      if (!/^[0-9TZ]+-[0-9a-f]+$/.test(id)) throw new NotFoundError('history', id);
      try {
        return (JSON.parse(await readFile(fileOf(id), 'utf8')) as StoredEntry).filesBefore;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('history', id);
        throw error;
      }
    },
  };
}

export type History = ReturnType<typeof createHistory>;
