import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DialogueState } from '../../dialogue/types.ts';
import type { Logger } from '../../lib/logger.ts';
import { writeFileAtomic } from '../atomic-file.ts';

/**
 * Per-chat dialogue state, one small JSON file per chat: `sessions/<2 hex>/<32 hex>.json`, named
 * by a hash of the chat key so any key is a safe file name and no folder holds more than a few
 * hundred files. Reading or saving one chat costs one small file whatever the number of chats
 * (the old single `state.json` was rewritten whole, 79 MB for 20,000 sessions). A save is
 * written (temp + rename) before the turn is acknowledged, so a killed process keeps it.
 *
 * A session expires after the context TTL: the dialogue would not resume it anyway, so its file
 * is deleted by a sweep (by modification time, no file read), not kept for the retention period.
 * One unreadable file is moved aside and costs only its own chat's context.
 */

export interface SessionRecord {
  chatKey: string;
  state: DialogueState;
  /** The chat's latest exchange, for /feedback and 👍 on the last answer. */
  lastExchangeId?: string;
}

export interface SessionFiles {
  get(chatKey: string): Promise<SessionRecord | undefined>;
  save(record: SessionRecord): Promise<void>;
  remove(chatKey: string): Promise<void>;
  /** Deletes sessions not saved since `cutoff`; returns how many. */
  expireBefore(cutoff: Date): Promise<number>;
  count(): Promise<number>;
}

export function createSessionFiles(dir: string, logger: Logger, now: () => Date): SessionFiles {
  const fileOf = (chatKey: string) => {
    const hash = createHash('sha256').update(chatKey).digest('hex').slice(0, 32);
    return path.join(dir, hash.slice(0, 2), `${hash}.json`);
  };
  const shards = async () => {
    try {
      return (await readdir(dir)).filter((name) => /^[0-9a-f]{2}$/.test(name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  };

  return {
    async get(chatKey) {
      const file = fileOf(chatKey);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        // Only a missing file means "no session"; EACCES or EIO is a fault to report, not data to drop.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      try {
        const value = JSON.parse(text) as Partial<SessionRecord>;
        if (value.chatKey !== chatKey || typeof value.state !== 'object' || value.state === null) throw new Error('not a session record');
        return value as SessionRecord;
      } catch (error) {
        const aside = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
        await rename(file, aside).catch(() => undefined);
        logger.error('session file is corrupt: moved aside, this chat starts clean', { file, movedTo: aside, error });
        return undefined;
      }
    },
    async save(record) {
      const file = fileOf(record.chatKey);
      await writeFileAtomic(file, JSON.stringify(record));
    },
    async remove(chatKey) {
      await rm(fileOf(chatKey), { force: true });
    },
    async expireBefore(cutoff) {
      let removed = 0;
      for (const shard of await shards()) {
        const shardDir = path.join(dir, shard);
        for (const name of await readdir(shardDir).catch(() => [] as string[])) {
          if (!name.endsWith('.json')) continue;
          const file = path.join(shardDir, name);
          try {
            if ((await stat(file)).mtime < cutoff) {
              await rm(file, { force: true });
              removed += 1;
            }
          } catch {
            // Removed meanwhile by a save's rename or a forget: nothing to expire.
          }
        }
      }
      return removed;
    },
    async count() {
      let total = 0;
      for (const shard of await shards()) total += (await readdir(path.join(dir, shard)).catch(() => [] as string[])).filter((name) => name.endsWith('.json')).length;
      return total;
    },
  };
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}
