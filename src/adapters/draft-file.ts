import { readFile, rename, rm } from 'node:fs/promises';
import type { DraftLoad, DraftPersistence } from '../admin/drafts.ts';
import type { Logger } from '../lib/logger.ts';
import { writeFileAtomic } from './atomic-file.ts';

/**
 * The console draft in RUNTIME_DIR/console-draft.json. A file that is not a draft is moved aside
 * to `console-draft.json.corrupt-<time>` (kept for whoever wants to recover an edit from it),
 * never overwritten; a file that cannot be read at all (permissions, I/O) is left where it is and
 * reported as unreadable, because it may be perfectly good.
 */
export function createDraftFile(
  file: string,
  deps: { logger: Logger; now?: () => Date; read?: (file: string) => Promise<string> },
): DraftPersistence {
  const now = deps.now ?? (() => new Date());
  const read = deps.read ?? ((path: string) => readFile(path, 'utf8'));

  async function moveAside(error: unknown): Promise<DraftLoad> {
    const movedTo = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(file, movedTo);
    } catch (moveError) {
      deps.logger.error('console draft file is corrupt and could not be moved aside; left as it is', { file, error, moveError });
      return { state: 'unreadable', reason: `文件已损坏且无法移走：${(moveError as Error).message}` };
    }
    deps.logger.error('console draft file is corrupt: moved aside, the draft starts from the live knowledge', { file, movedTo, error });
    return { state: 'corrupt', movedTo };
  }

  return {
    async load(accept) {
      let text: string;
      try {
        text = await read(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'none' };
        deps.logger.error('console draft file cannot be read; left as it is and saves are refused', { file, error });
        return { state: 'unreadable', reason: (error as Error).message };
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        return moveAside(error);
      }
      if (!accept(value)) return moveAside(new Error('not a console draft'));
      return { state: 'loaded', data: value };
    },
    // Durable: a save is acknowledged to the admin, so it must survive a power cut too.
    save: (data) => writeFileAtomic(file, JSON.stringify(data), { durable: true }),
    clear: () => rm(file, { force: true }),
  };
}
