import { formatIssue } from '../lib/issues.ts';
import type { Logger } from '../lib/logger.ts';
import { createKeyedQueue } from '../lib/keyed-queue.ts';
import { knowledgeHash } from './drafts.ts';
import type { LiveCore } from './publish.ts';

/**
 * Keeping several processes on the same knowledge. The process where the console published (or
 * an admin sent /reload) has reloaded; it announces what it now serves, and every other process
 * reloads from its own intents/ and data/ and checks it got the same knowledge.
 *
 * Each machine reads its own files: several machines must share them (network storage, or the
 * same git commit deployed to all), or the check below reports the difference.
 */

/** What a notification carries (JSON): small, so it fits a NOTIFY payload. */
export interface KnowledgePublished {
  /** The announcing process (see knowledge-channel.ts), so it does not reload twice. */
  origin: string;
  /** What happened: a console publish or rollback (history entry id), or /reload. */
  action: 'publish' | 'rollback' | 'reload';
  entry?: string;
  /** The engine version in the announcing process (each process counts its own). */
  version: number;
  /** knowledgeHash of the intents and facts now served there. */
  hash: string;
}

export type Announcement = Omit<KnowledgePublished, 'origin'>;

/** What the announcing process sends after a successful reload. */
export function announcementOf(core: LiveCore, action: KnowledgePublished['action'], entry?: string): Announcement {
  return { action, ...(entry ? { entry } : {}), version: core.engine.version(), hash: knowledgeHash(core.engine.knowledge()) };
}

/**
 * The receiving side: one reload at a time (two quick publishes → two reloads in order, the
 * second reading the newest files), each logged with the version it produced.
 */
export function followPublishes(core: LiveCore, logger: Logger) {
  const queue = createKeyedQueue();
  return {
    onPublished(published: KnowledgePublished): Promise<void> {
      return queue.run('reload', async () => {
        const swapped = await core.reload();
        if (!swapped.ok) {
          logger.error('knowledge published in another process does not load here; the previous knowledge keeps serving', {
            action: published.action,
            entry: published.entry,
            issues: swapped.issues.slice(0, 5).map(formatIssue),
          });
          return;
        }
        const hash = knowledgeHash(core.engine.knowledge());
        if (hash !== published.hash) {
          logger.error('knowledge files here differ from the published ones: share intents/ and data/ between machines (see docs/scale-out.md)', {
            entry: published.entry,
            published: published.hash,
            here: hash,
          });
          return;
        }
        logger.info('knowledge reloaded after a publish in another process', {
          action: published.action,
          entry: published.entry,
          publishedVersion: published.version,
          version: swapped.version,
        });
      });
    },
    /** After missing notifications (the listener was disconnected): reload to catch up. */
    catchUp(): Promise<void> {
      return queue.run('reload', async () => {
        const swapped = await core.reload();
        if (swapped.ok) logger.info('knowledge reloaded after reconnecting to the database', { version: swapped.version });
        else logger.error('knowledge on disk does not load; the previous knowledge keeps serving', { issues: swapped.issues.length });
      });
    },
  };
}
