import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileChanges, HistoryChange, KnowledgeFiles, KnowledgeWriter } from '../admin/publish-ports.ts';
import { encodeHistoryRecord, historyFile } from './history-files.ts';
import { renderKnowledge } from './knowledge-render.ts';
import { commitFiles, publishJournalFile, type FileOp, type StepHook } from './publish-journal.ts';

/**
 * Writes the console's intents and facts back to `intents/<topic>.yaml` and
 * `data/facts/<topic>.json`, with the history record of the publish, as one journaled commit
 * (publish-journal.ts): a kill at any moment leaves the old set or the new set, never a mix,
 * and never a history entry without its files or files without their entry.
 */

export interface KnowledgeWriterPaths {
  intentsDir: string;
  dataDir: string;
  /** RUNTIME_DIR/history: history records are committed together with the files. */
  historyDir: string;
}

export function createKnowledgeWriter(paths: KnowledgeWriterPaths, options: { onStep?: StepHook } = {}): KnowledgeWriter {
  const factsDir = join(paths.dataDir, 'facts');
  const locate = (key: string): string => {
    if (key.startsWith('intents/')) return join(paths.intentsDir, key.slice('intents/'.length));
    if (key.startsWith('data/facts/')) return join(factsDir, key.slice('data/facts/'.length));
    throw new Error(`not a knowledge file: ${key}`);
  };

  async function listDir(dir: string, ext: string, prefix: string, into: KnowledgeFiles) {
    let names: string[] = [];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // no dir yet = no files
    }
    for (const name of names.filter((entry) => entry.endsWith(ext)).sort()) {
      into[`${prefix}${name}`] = await readFile(join(dir, name), 'utf8');
    }
  }

  return {
    async snapshot(): Promise<KnowledgeFiles> {
      const files: KnowledgeFiles = {};
      await listDir(paths.intentsDir, '.yaml', 'intents/', files);
      await listDir(factsDir, '.json', 'data/facts/', files);
      return files;
    },

    render: renderKnowledge,

    async apply(changes: FileChanges, history?: HistoryChange): Promise<void> {
      const ops: FileOp[] = Object.entries(changes).map(([key, content]) => ({ path: locate(key), content }));
      if (history && 'add' in history) {
        ops.push({ path: historyFile(paths.historyDir, history.add.entry.id), content: encodeHistoryRecord(history.add) });
      } else if (history) {
        ops.push({ path: historyFile(paths.historyDir, history.remove), content: null });
      }
      await commitFiles(publishJournalFile(paths.dataDir), ops, options.onStep);
    },
  };
}
