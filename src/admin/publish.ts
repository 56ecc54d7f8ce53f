import type { KnowledgeFiles, KnowledgeWriter } from '../adapters/knowledge-writer.ts';
import { renderKnowledge } from '../adapters/knowledge-writer.ts';
import type { Engine, SwapResult } from '../engine-types.ts';
import type { KnowledgeBase } from '../knowledge/schema.ts';
import { hasErrors, type Issue } from '../lib/issues.ts';
import type { Logger } from '../lib/logger.ts';
import { isCorrect, type BenchQuestion } from './bench.ts';
import { knowledgeHash, type DraftChange, type Drafts } from './drafts.ts';
import { StateError, ValidationError } from './errors.ts';
import { announcementOf, type Announcement } from './follow-publishes.ts';
import type { History, HistoryEntry } from './history.ts';

/**
 * Publish and rollback: draft → files → reload of the running engine (web and Telegram share
 * it) → tell the other processes, if any, to reload too; with a history entry holding the files
 * as they were before. Publish and rollback run one at a time (`exclusive`): two overlapping
 * publishes would each snapshot and write the same files and the history would no longer
 * restore what was live.
 */

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
  history: History;
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
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

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

  /** Writes `changes`, reloads, and puts `filesBefore` back if the engine refuses the result. */
  async function applyAndReload(filesBefore: KnowledgeFiles, changes: Record<string, string | null>) {
    await deps.writer.apply(changes);
    const swapped = await deps.core.reload();
    if (swapped.ok) return swapped;
    deps.logger.error('reload refused the written knowledge; restoring the previous files', {
      issues: swapped.issues.length,
    });
    await deps.writer.apply(deps.writer.restoreChanges(filesBefore, await deps.writer.snapshot()));
    await deps.core.reload();
    throw new ValidationError(swapped.issues, '新数据未能加载，已恢复原文件');
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
        const changes = renderKnowledge(kb, filesBefore);
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
        // History first: if the process dies mid-write, the files to go back to are kept.
        await deps.history.record(entry, filesBefore);
        const swapped = await applyAndReload(filesBefore, changes);
        entry.version = swapped.version;
        await deps.history.record(entry, filesBefore);
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
        await deps.history.record(entry, filesBefore);
        const swapped = await applyAndReload(filesBefore, deps.writer.restoreChanges(target, filesBefore));
        entry.version = swapped.version;
        await deps.history.record(entry, filesBefore);
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
