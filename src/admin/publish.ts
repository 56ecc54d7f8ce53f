import type { Engine, SwapResult } from '../engine-types.ts';
import type { KnowledgeBase } from '../knowledge/schema.ts';
import { hasErrors, type Issue } from '../lib/issues.ts';
import type { KeyedQueue } from '../lib/keyed-queue.ts';
import type { Logger } from '../lib/logger.ts';
import type { BenchQuestion } from './bench.ts';
import { knowledgeHash, type Drafts } from './drafts.ts';
import { IncompleteWriteError, PublishError, StateError, ValidationError } from './errors.ts';
import { announcementOf, type Announcement } from './follow-publishes.ts';
import { requireConfirmation, type Confirmation } from './publish-guard.ts';
import { buildPreview, type PublishPreview, type SafetySet } from './publish-preview.ts';
import type { FileChanges, HistoryEntry, HistoryStore, KnowledgeFiles, KnowledgeWriter } from './publish-ports.ts';

/**
 * Publish and rollback: draft → files → reload of the running engine (web and Telegram share
 * it), with a history entry holding the files as they were before. The files and the entry are
 * written as one commit (see KnowledgeWriter.apply), so a failed or killed publish leaves
 * neither. Publish, rollback and Telegram's /reload run one at a time through one queue key:
 * two overlapping publishes would each snapshot and write the same files and the history would
 * no longer restore what was live, and a reload between a publish's writes and its own reload
 * would swap in files the publish had not checked yet.
 */

const KNOWLEDGE_KEY = 'knowledge';

/** A reload from outside the console (Telegram's /reload): waits for a publish in progress. */
export function reloadKnowledge(core: Pick<LiveCore, 'reload'>, queue: KeyedQueue): Promise<SwapResult> {
  return queue.run(KNOWLEDGE_KEY, () => core.reload());
}

/** The changes that turn `current` back into `snapshot` (files absent from it are deleted). */
export function restoreChanges(snapshot: KnowledgeFiles, current: KnowledgeFiles): FileChanges {
  const changes: FileChanges = {};
  for (const key of Object.keys(current)) if (!(key in snapshot)) changes[key] = null;
  for (const [key, content] of Object.entries(snapshot)) if (current[key] !== content) changes[key] = content;
  return changes;
}

export interface LiveCore {
  engine: Engine;
  reload(): Promise<SwapResult>;
}

export type { AnswerChange, PublishPreview, Score } from './publish-preview.ts';

type Responder = Pick<Engine, 'respond'>;

export function createPublisher(deps: {
  core: LiveCore;
  drafts: Drafts;
  writer: KnowledgeWriter;
  history: HistoryStore;
  /** Shared with Telegram's /reload (see reloadKnowledge). */
  queue: KeyedQueue;
  heldout: () => Promise<BenchQuestion[]>;
  /**
   * The emergency and false-alarm sets: an answer of theirs that the draft changes must be
   * confirmed (see publish-guard.ts). Absent: only edits of emergency intents are checked.
   */
  safety?: () => Promise<SafetySet[]>;
  /** Builds a separate engine for the draft (never the live one), trained off the main thread. */
  buildEngine: (kb: KnowledgeBase) => Promise<Responder>;
  lint: (kb: KnowledgeBase) => Issue[];
  logger: Logger;
  now?: () => Date;
  /** Tells the other processes (several on one database) to reload; absent for one process. */
  announce?: (announcement: Announcement) => Promise<void>;
}) {
  const now = deps.now ?? (() => new Date());

  /**
   * After the files are written and this process reloaded. A failure does not undo the publish
   * (it is live here and on disk): the others reload when their listener reconnects or restarts.
   */
  async function announce(action: 'publish' | 'rollback', entry: string): Promise<void> {
    if (!deps.announce) return;
    try {
      await deps.announce(announcementOf(deps.core, action, entry));
    } catch (error) {
      deps.logger.error('other processes were not told to reload the published knowledge', { entry, error });
    }
  }
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => deps.queue.run(KNOWLEDGE_KEY, work);

  let cached: { hash: string; engine: Promise<Responder> } | undefined;
  /**
   * The engine for `kb` (default: the current draft, or the live engine when the draft is clean),
   * rebuilt only when the knowledge changed. The preview passes the knowledge it read first:
   * building takes seconds, and an edit landing meanwhile must not be what the engine learns
   * while the checks and the diff describe the knowledge before it.
   */
  function draftEngine(given?: KnowledgeBase): Promise<Responder> {
    if (!given && !deps.drafts.view().dirty) return Promise.resolve(deps.core.engine);
    const kb = given ?? deps.drafts.kb();
    const hash = knowledgeHash(kb);
    if (cached?.hash !== hash) {
      const engine = deps.buildEngine(kb);
      cached = { hash, engine };
      // A failed build is not remembered: the next request tries again.
      engine.catch(() => {
        if (cached?.engine === engine) cached = undefined;
      });
    }
    return cached.engine;
  }

  function preview(): Promise<PublishPreview> {
    return buildPreview({
      drafts: deps.drafts,
      live: deps.core.engine,
      draftEngine,
      heldout: deps.heldout,
      safety: deps.safety ?? (async () => []),
      lint: deps.lint,
      now: now(),
    });
  }

  /**
   * Writes `changes` and `entry` as one commit, then reloads. If the engine refuses the result,
   * or the reload fails, the previous files come back and the entry goes, again as one commit:
   * the history never shows a change that is not live.
   */
  async function commitAndReload(entry: HistoryEntry, filesBefore: KnowledgeFiles, changes: FileChanges) {
    try {
      await deps.writer.apply(changes, { add: { entry, filesBefore } });
    } catch (error) {
      deps.logger.error('writing the knowledge files failed', { id: entry.id, error });
      const reason = (error as Error).message;
      throw new PublishError(
        error instanceof IncompleteWriteError ? `发布未完成：${reason}` : `发布失败，知识库文件和历史均未改动：${reason}`,
        { cause: error },
      );
    }
    let swapped: SwapResult | undefined;
    let failure: unknown;
    try {
      swapped = await deps.core.reload();
    } catch (error) {
      failure = error;
    }
    if (swapped?.ok) return swapped;
    deps.logger.error('reload refused the written knowledge; restoring the previous files', {
      id: entry.id,
      issues: swapped?.issues.length,
      error: failure,
    });
    await deps.writer.apply(restoreChanges(filesBefore, await deps.writer.snapshot()), { remove: entry.id });
    await deps.core.reload();
    if (swapped) throw new ValidationError(swapped.issues, '新数据未能加载，已恢复原文件');
    throw new PublishError(`新数据加载出错（${(failure as Error)?.message ?? String(failure)}），已恢复原文件`, { cause: failure });
  }

  /** The engine version is known only after the reload; a failure to note it costs nothing else. */
  async function noteVersion(entry: HistoryEntry, filesBefore: KnowledgeFiles, version: number) {
    entry.version = version;
    try {
      await deps.history.update({ entry, filesBefore });
    } catch (error) {
      deps.logger.warn('could not note the engine version in the history', { id: entry.id, error });
    }
  }

  return {
    preview,
    draftEngine,

    /**
     * Publishes the draft. A draft that changes emergency handling (see publish-guard.ts) needs
     * `confirmation` with the phrase; the check runs here, on the draft being published, so no
     * client can skip it.
     */
    publish(by: string, confirmation: Confirmation = {}): Promise<HistoryEntry> {
      return exclusive(async () => {
        const view = deps.drafts.view();
        if (!view.dirty) throw new StateError('草稿没有改动，无需发布');
        const kb = deps.drafts.kb();
        const issues = deps.lint(kb);
        if (hasErrors(issues)) throw new ValidationError(issues, '草稿有错误，未发布');
        const review = await preview();
        // preview() reads the draft itself; make sure what it judged is what is written below.
        if (review.revision !== knowledgeHash(kb)) throw new StateError('草稿在发布过程中又有改动，请重新查看发布预览后再发布');
        requireConfirmation(review, confirmation);
        const filesBefore = await deps.writer.snapshot();
        const changes = deps.writer.render(kb, filesBefore);
        const entry: HistoryEntry = {
          id: deps.history.newId(),
          at: now().toISOString(),
          by,
          action: 'publish',
          changes: view.changes,
        };
        if (review.dangers.length > 0) entry.confirmedDangers = review.dangers.length;
        if (review.before && review.after) {
          entry.accuracy = { before: review.before.accuracy, after: review.after.accuracy, total: review.after.total };
        }
        const swapped = await commitAndReload(entry, filesBefore, changes);
        await noteVersion(entry, filesBefore, swapped.version);
        await deps.drafts.reset();
        cached = undefined;
        deps.logger.info('knowledge published', { id: entry.id, by, changes: view.changes.length, version: swapped.version });
        await announce('publish', entry.id);
        return entry;
      });
    },

    /** Restores the files as they were before entry `id` (and everything after it). */
    rollback(id: string, by: string): Promise<HistoryEntry> {
      return exclusive(async () => {
        const target = await deps.history.filesBefore(id);
        const filesBefore = await deps.writer.snapshot();
        const entry: HistoryEntry = {
          id: deps.history.newId(),
          at: now().toISOString(),
          by,
          action: 'rollback',
          changes: [],
          rollbackOf: id,
        };
        const swapped = await commitAndReload(entry, filesBefore, restoreChanges(target, filesBefore));
        await noteVersion(entry, filesBefore, swapped.version);
        await deps.drafts.reset();
        cached = undefined;
        deps.logger.info('knowledge rolled back', { id: entry.id, to: id, by, version: swapped.version });
        await announce('rollback', entry.id);
        return entry;
      });
    },
  };
}

export type Publisher = ReturnType<typeof createPublisher>;
