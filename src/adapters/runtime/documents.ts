import { readFile, rename } from 'node:fs/promises';
import { Low, type Adapter } from 'lowdb';
import type { HandoffCase } from '../../admin/ports.ts';
import type { Logger } from '../../lib/logger.ts';
import { writeFileAtomic } from '../atomic-file.ts';

/**
 * Small documents kept in one lowdb file (`documents.json`): inbox statuses, handoff routes and
 * the open handoff cases (closed ones move to a day log, see handoff-cases.ts).
 * They change when staff act, not with every message, so rewriting the small file is cheap; each
 * change is written before it is acknowledged, and changes made while a write runs share the next
 * write. Writes go through the project's one atomic-write helper (unique temp name + rename).
 */

export interface Documents {
  version: 2;
  inbox: Record<string, 'new' | 'done' | 'ignored'>;
  handoffs: Record<string, { chatKey: string; at: string }>;
  /** Open handoff cases by id (absent in files written before cases existed). */
  cases: Record<string, HandoffCase>;
}

export const emptyDocuments = (): Documents => ({ version: 2, inbox: {}, handoffs: {}, cases: {} });

class AtomicJsonFile implements Adapter<Documents> {
  constructor(private readonly file: string) {}
  async read(): Promise<Documents | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw Object.assign(error as Error, { unreadable: true });
    }
    const value: unknown = JSON.parse(text);
    if (!isDocuments(value)) throw new Error('not a documents object (version 2)');
    value.cases ??= {}; // added later to version 2: an older file simply has no open cases
    return value;
  }
  async write(data: Documents): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(data));
  }
}

function isDocuments(value: unknown): value is Documents {
  if (typeof value !== 'object' || value === null) return false;
  const data = value as Partial<Documents>;
  const cases: unknown = data.cases;
  return (
    data.version === 2 &&
    typeof data.inbox === 'object' &&
    data.inbox !== null &&
    typeof data.handoffs === 'object' &&
    data.handoffs !== null &&
    (cases === undefined || (typeof cases === 'object' && cases !== null))
  );
}

export interface DocumentStore {
  data: Documents;
  /** Resolves once a write that includes every change made so far has finished. */
  persist(): Promise<void>;
}

export async function openDocuments(file: string, logger: Logger, now: () => Date): Promise<DocumentStore> {
  const db = new Low<Documents>(new AtomicJsonFile(file), emptyDocuments());
  try {
    await db.read();
  } catch (error) {
    // A file we cannot read (permissions, I/O) is a fault: refuse to start rather than drop it.
    if ((error as { unreadable?: boolean }).unreadable) throw error;
    const aside = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    await rename(file, aside);
    logger.error('runtime documents file is corrupt: moved aside, starting clean', { file, movedTo: aside, error });
    db.data = emptyDocuments();
  }

  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const persist = (): Promise<void> => {
    if (queued) return queued; // a write that has not started yet will include this change
    const after = running ?? Promise.resolve();
    const next = after
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        const write = db.write();
        running = write;
        write.then(
          () => {
            if (running === write) running = undefined;
          },
          () => {
            if (running === write) running = undefined;
          },
        );
        return write;
      });
    queued = next;
    return next;
  };
  return {
    get data() {
      return db.data;
    },
    persist,
  };
}
