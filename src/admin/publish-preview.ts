import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Engine } from '../engine-types.ts';
import type { KnowledgeBase } from '../knowledge/schema.ts';
import { hasErrors, type Issue } from '../lib/issues.ts';
import { isCorrect, type BenchQuestion } from './bench.ts';
import { knowledgeHash, type DraftChange, type Drafts } from './drafts.ts';
import { addedExamples, diffKnowledge, type ItemDiff } from './knowledge-diff.ts';
import { answerSeverity, CONFIRM_PHRASE, emergencyEditDangers, sortDangers, type Danger, type SafetySetName } from './publish-guard.ts';

/**
 * What a publish would change, for the admin to read before pressing 发布: the edits as line
 * diffs, what each added example is answered before (live) and after (draft), held-out accuracy,
 * and the answers that change on the emergency and false-alarm sets — which, with any edit of an
 * emergency intent, are the dangers publish-guard.ts makes an admin confirm.
 */

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

/** One added example and the intent that answers it: live engine, then draft engine. */
export interface ExampleEffect {
  intent: string;
  text: string;
  before: string;
  after: string;
}

export interface SafetySet {
  name: SafetySetName;
  questions: BenchQuestion[];
}

export interface PublishPreview {
  dirty: boolean;
  changes: DraftChange[];
  issues: Issue[];
  /** knowledgeHash of the draft this preview describes; a confirmed publish names it. */
  revision: string;
  /** Every changed intent and fact, live → draft. */
  diffs: ItemDiff[];
  /** Absent when there are no held-out questions or the draft does not build. */
  before?: Score;
  after?: Score;
  changed: AnswerChange[];
  /** Empty when the draft has errors (it is not built) or adds no example. */
  examples: ExampleEffect[];
  /** The safety sets checked and their size (0: the file is missing, nothing could be checked). */
  safetySets: { name: SafetySetName; total: number }[];
  /** Changes a publish must confirm with `confirmPhrase`. */
  dangers: Danger[];
  confirmPhrase: string;
}

type Responder = Pick<Engine, 'respond'>;
type Answers = Map<string, { intent: string; ok: boolean | undefined }>;

const CHUNK = 50;

/**
 * Each question asked in a fresh conversation. `respond` is synchronous, so the questions go in
 * chunks with a pause between them: a preview of 800 questions must not stall the citizens' chat.
 */
async function answer(engine: Responder, questions: readonly BenchQuestion[], now: Date): Promise<Answers> {
  const answers: Answers = new Map();
  for (let start = 0; start < questions.length; start += CHUNK) {
    if (start > 0) await yieldToEventLoop();
    for (const question of questions.slice(start, start + CHUNK)) {
      const { reply } = engine.respond({ kind: 'text', text: question.text }, undefined, now);
      answers.set(question.id, { intent: reply.intent, ok: isCorrect(question, reply) });
    }
  }
  return answers;
}

function scoreOf(answers: Answers): Score {
  let correct = 0;
  let total = 0;
  for (const { ok } of answers.values()) {
    if (ok !== undefined) total += 1;
    if (ok) correct += 1;
  }
  return { correct, total, accuracy: total === 0 ? 0 : correct / total };
}

export interface PreviewDeps {
  drafts: Pick<Drafts, 'view' | 'kb' | 'live'>;
  live: Responder;
  /** The engine for this knowledge (built off the main thread, cached by the caller). */
  draftEngine: (kb: KnowledgeBase) => Promise<Responder>;
  heldout: () => Promise<BenchQuestion[]>;
  safety: () => Promise<SafetySet[]>;
  lint: (kb: KnowledgeBase) => Issue[];
  now: Date;
}

export async function buildPreview(deps: PreviewDeps): Promise<PublishPreview> {
  const view = deps.drafts.view();
  const kb = deps.drafts.kb();
  const live = deps.drafts.live();
  const issues = deps.lint(kb);
  const result: PublishPreview = {
    dirty: view.dirty,
    changes: view.changes,
    issues,
    revision: knowledgeHash(kb),
    diffs: view.dirty ? diffKnowledge(live, kb) : [],
    changed: [],
    examples: [],
    safetySets: [],
    dangers: view.dirty ? emergencyEditDangers(live, kb) : [],
    confirmPhrase: CONFIRM_PHRASE,
  };
  const [heldout, safety] = await Promise.all([deps.heldout(), deps.safety()]);
  result.safetySets = safety.map((set) => ({ name: set.name, total: set.questions.length }));
  const liveHeldout = heldout.length > 0 ? await answer(deps.live, heldout, deps.now) : undefined;
  if (liveHeldout) result.before = scoreOf(liveHeldout);
  if (hasErrors(issues)) return result;
  if (!view.dirty) {
    if (result.before) result.after = result.before; // the draft is the live knowledge
    return result;
  }

  const added = addedExamples(live, kb);
  // Training a draft model takes seconds: only when something is to be asked of it.
  if (!liveHeldout && added.length === 0 && safety.every((set) => set.questions.length === 0)) return result;
  // The knowledge read above, not the draft as it is once the awaits are over (see draftEngine).
  const draft = await deps.draftEngine(kb);
  if (liveHeldout) {
    const draftHeldout = await answer(draft, heldout, deps.now);
    result.after = scoreOf(draftHeldout);
    result.changed = changes(heldout, liveHeldout, draftHeldout, (was, becomes) => was.intent !== becomes.intent || was.ok !== becomes.ok);
  }
  for (const example of added) {
    const ask = (engine: Responder) => engine.respond({ kind: 'text', text: example.text }, undefined, deps.now).reply.intent;
    result.examples.push({ ...example, before: ask(deps.live), after: ask(draft) });
  }
  for (const set of safety) {
    if (set.questions.length === 0) continue;
    const [was, becomes] = [await answer(deps.live, set.questions, deps.now), await answer(draft, set.questions, deps.now)];
    for (const change of changes(set.questions, was, becomes, (a, b) => a.intent !== b.intent)) {
      result.dangers.push({
        kind: 'safety_answer',
        set: set.name,
        id: change.id,
        text: change.text,
        expected: change.expected,
        before: change.before.intent,
        after: change.after.intent,
        severity: answerSeverity(change.before.intent, change.after.intent),
      });
    }
  }
  result.dangers = sortDangers(result.dangers);
  return result;
}

function changes(
  questions: readonly BenchQuestion[],
  before: Answers,
  after: Answers,
  differs: (was: { intent: string; ok: boolean | undefined }, becomes: { intent: string; ok: boolean | undefined }) => boolean,
): AnswerChange[] {
  const list: AnswerChange[] = [];
  for (const question of questions) {
    const was = before.get(question.id)!;
    const becomes = after.get(question.id)!;
    if (!differs(was, becomes)) continue;
    list.push({ id: question.id, text: question.text, expected: question.intent ?? question.topic ?? '', before: was, after: becomes });
  }
  return list;
}
