import type { Engine, SwapResult } from '../engine-types.ts';
import type { KnowledgeBase } from '../knowledge/schema.ts';
import { hasErrors, type Issue } from '../lib/issues.ts';
import type { KeyedQueue } from '../lib/keyed-queue.ts';
import type { Logger } from '../lib/logger.ts';
import { isCorrect, type BenchQuestion } from './bench.ts';
import { knowledgeHash, type DraftChange, type Drafts } from './drafts.ts';
import { IncompleteWriteError, PublishError, StateError, ValidationError } from './errors.ts';
import { announcementOf, type Announcement } from './follow-publishes.ts';
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

export interface AnswerChange {
  id: string;
  text: string;
  expected: string;
  before: { intent: string; ok: boolean | undefined };
  after: { intent: string; ok: boolean | undefined };
}

export interface Score {
  correct: number;
  total: number;
  accuracy: number;
}

export interface PublishPreview {
  dirty: boolean;
  changes: DraftChange[];
  issues: Issue[];
  /** Absent when there are no held-out questions or the draft does not build. */
  before?: Score;
  after?: Score;
  changed: AnswerChange[];
}

type Responder = Pick<Engine, 'respond'>;

function score(engine: Responder, questions: readonly BenchQuestion[], now: Date) {
  const answers = new Map<string, { intent: string; ok: boolean | undefined }>();
  let correct = 0;
  let total = 0;
  for (const question of questions) {
    const { reply } = engine.respond({ kind: 'text', text: question.text }, undefined, now);
    const ok = isCorrect(question, reply);
    if (ok !== undefined) total += 1;
    if (ok) correct += 1;
    answers.set(question.id, { intent: reply.intent, ok });
  }
  return { answers, score: { correct, total, accuracy: total === 0 ? 0 : correct / total } };
}

export function createPublisher(deps: {
  core: LiveCore;
  drafts: Drafts;
  writer: KnowledgeWriter;
  history: HistoryStore;
  /** Shared with Telegram's /reload (see reloadKnowledge). */
  queue: KeyedQueue;
  heldout: () => Promise<BenchQuestion[]>;
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
  /** The engine for the current draft, rebuilt only when the draft changed. */
  function draftEngine(): Promise<Responder> {
    const kb = deps.drafts.kb();
    const hash = knowledgeHash(kb);
    if (!deps.drafts.view().dirty) return Promise.resolve(deps.core.engine);
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

  async function preview(): Promise<PublishPreview> {
    const view = deps.drafts.view();
    const kb = deps.drafts.kb();
    const issues = deps.lint(kb);
    const result: PublishPreview = { dirty: view.dirty, changes: view.changes, issues, changed: [] };
    const questions = await deps.heldout();
    if (questions.length === 0) return result;
    const at = now();
    const before = score(deps.core.engine, questions, at);
    result.before = before.score;
    if (hasErrors(issues)) return result;
    const after = score(await draftEngine(), questions, at);
    result.after = after.score;
    for (const question of questions) {
      const was = before.answers.get(question.id)!;
      const becomes = after.answers.get(question.id)!;
      if (was.intent === becomes.intent && was.ok === becomes.ok) continue;
      result.changed.push({
        id: question.id,
        text: question.text,
        expected: question.intent ?? question.topic ?? '',
        before: was,
        after: becomes,
      });
    }
    return result;
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

    publish(by: string): Promise<HistoryEntry> {
      return exclusive(async () => {
        const view = deps.drafts.view();
        if (!view.dirty) throw new StateError('草稿没有改动，无需发布');
        const kb = deps.drafts.kb();
        const issues = deps.lint(kb);
        if (hasErrors(issues)) throw new ValidationError(issues, '草稿有错误，未发布');
        const review = await preview();
        const filesBefore = await deps.writer.snapshot();
        const changes = deps.writer.render(kb, filesBefore);
        const entry: HistoryEntry = {
          id: deps.history.newId(),
          at: now().toISOString(),
          by,
          action: 'publish',
          changes: view.changes,
        };
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
