import { decide, type Decision } from './dialogue/decide.ts';
import { describeInput } from './dialogue/describe-input.ts';
import { continueFlowReply, endedFlowReply, flowOfChoice, startFlowReply, type FlowReply } from './dialogue/flow-reply.ts';
import { maskPersonalNumbers } from './dialogue/mask.ts';
import { messages } from './dialogue/messages.ts';
import { answerReply, menuSuggestions, plainReply, toSuggestion } from './dialogue/reply.ts';
import type { DecidedBy, DialogueState, EngineInput, EngineResult, Reply, Trace } from './dialogue/types.ts';
import type { Engine, SwapResult } from './engine-types.ts';
import { indexKnowledge, SAFETY_LINE_FACT, type KnowledgeIndex } from './knowledge/facts.ts';
import type { EvalText } from './knowledge/leaks.ts';
import { lintKnowledge } from './knowledge/lint.ts';
import type { Intent, KnowledgeBase } from './knowledge/schema.ts';
import { topicOf } from './knowledge/topics.ts';
import { fnv1a64 } from './lib/hash.ts';
import { hasErrors, type Issue } from './lib/issues.ts';
import {
  classifierFromCache,
  DEFAULT_DESIGN,
  MODEL_VERSION,
  trainLogRegOnly,
  type ClassifierDesign,
  type IntentClassifier,
  type Trainer,
} from './nlp/classify.ts';
import type { SerializedModel } from './nlp/logreg.ts';
import { createNormalizer } from './nlp/normalize.ts';
import { compileRules } from './nlp/rules.ts';
import { asPinyin, aspectCues, FEATURE_VERSION, features, type Segmenter } from './nlp/segment.ts';
import { DEFAULT_MARGIN, DEFAULT_THRESHOLD, understand, type UnderstandParts, type Understanding } from './nlp/understand.ts';

export type { Engine, SwapResult } from './engine-types.ts';

export interface EngineOptions {
  /** Builds the segmenter for a knowledge base (adds its dictionary words). */
  segmenterFor: (kb: KnowledgeBase) => Segmenter;
  threshold?: number;
  margin?: number;
  design?: ClassifierDesign;
  /** Trains a design (default: logistic regression only; eval injects the natural designs). */
  trainer?: Trainer;
  /** Context older than this is forgotten. */
  contextTtlMinutes?: number;
  /** Evaluation questions, for the leak warning when an admin publishes. */
  evalTexts?: readonly EvalText[];
  /** `error` refuses data whose examples leak evaluation questions (`npm run check`, CI). */
  leakSeverity?: 'error' | 'warning';
  /** Softmax temperature for the logistic regression (chosen on the dev set). */
  temperature?: number;
  /** Where trained models are kept between starts (keyed by a hash of everything they learn from). */
  modelCache?: ModelCache;
}

/** Port: implemented by adapters/model-cache.ts (files); absent = train at every start. */
export interface ModelCache {
  load(key: string): SerializedModel | undefined;
  save(key: string, model: SerializedModel): void;
  /** Lint results of knowledge that passed (a start with unchanged files skips the lint). */
  loadIssues?(key: string): Issue[] | undefined;
  saveIssues?(key: string, issues: Issue[]): void;
}

interface Model {
  kb: KnowledgeBase;
  index: KnowledgeIndex;
  parts: UnderstandParts;
  /** An intent's plain answer is the same every time: built once per model (per publish). */
  answers: Map<string, ReturnType<typeof answerReply>>;
}

function cachedAnswer(model: Model, intent: Intent, kind: Reply['kind'], confidence: number): ReturnType<typeof answerReply> {
  const key = `${intent.name}\u0000${kind}`;
  let built = model.answers.get(key);
  if (!built) {
    built = answerReply(model.index, intent, { kind, intent: intent.name, confidence: 0 });
    model.answers.set(key, built);
  }
  return { reply: { ...built.reply, confidence, sources: [...built.reply.sources], suggestions: [...built.reply.suggestions], choices: [] }, facts: built.facts };
}

const HISTORY_TURNS = 6;
/** A message this long that is not understood is a story, not a typo: point to a person. */
const STORY_CHARS = 20;

/** Thrown by createEngine when the initial data is invalid (swap returns the issues instead). */
export class KnowledgeError extends Error {
  constructor(public readonly issues: Issue[]) {
    super(`知识库有 ${issues.filter((issue) => issue.severity === 'error').length} 处错误`);
    this.name = 'KnowledgeError';
  }
}

export function createEngine(kb: KnowledgeBase, options: EngineOptions): Engine {
  const first = buildModel(kb, options);
  if (!first.ok) throw new KnowledgeError(first.issues);
  let model = first.model;
  let version = 1;

  return {
    respond: (input, state, now = new Date()) => respond(model, options, input, freshState(state, now, options), now),
    menu: () => plainReply('menu', messages.menu, { suggestions: menuSuggestions(model.index) }),
    swap(next): SwapResult {
      const built = buildModel(next, options);
      if (!built.ok) return { ok: false, issues: built.issues };
      model = built.model;
      version += 1;
      return { ok: true, version, warnings: built.warnings };
    },
    knowledge: () => model.kb,
    version: () => version,
  };
}

function buildModel(kb: KnowledgeBase, options: EngineOptions) {
  const normalize = createNormalizer(kb.homophones, kb.bilingual);
  const issues = lintCached(kb, options, () =>
    lintKnowledge(kb, { normalize: (text) => normalize(text).text, ...(options.evalTexts ? { evalTexts: options.evalTexts, leakSeverity: options.leakSeverity ?? 'warning' } : {}) }),
  );
  if (hasErrors(issues)) return { ok: false as const, issues };
  const segment = options.segmenterFor(kb);
  const cues = aspectCues(kb.aspects);
  const parts: UnderstandParts = {
    normalize,
    segment,
    rules: compileRules(kb.intents),
    classifier: classifierFor(kb, options, (text) => features(segment(normalize(text).text), cues)),
    aspectCues: cues,
    threshold: options.threshold ?? DEFAULT_THRESHOLD,
    margin: options.margin ?? DEFAULT_MARGIN,
    ...(kb.danger ? { danger: kb.danger } : {}),
  };
  return {
    ok: true as const,
    model: { kb, index: indexKnowledge(kb), parts, answers: new Map() },
    warnings: issues.filter((issue) => issue.severity === 'warning'),
  };
}

/** Bumped when lint's checks change, so cached results from older code are not reused. */
const LINT_VERSION = 2;

/**
 * Lint normalises every example (~0.2 s for 7,000) although unchanged knowledge gives the same
 * issues: cached by a hash of the whole knowledge base. Never with evaluation questions (the
 * leak check runs in full) and never for knowledge with errors.
 */
function lintCached(kb: KnowledgeBase, options: EngineOptions, lint: () => Issue[]): Issue[] {
  const cache = options.modelCache;
  if (!cache?.loadIssues || !cache.saveIssues || options.evalTexts) return lint();
  const key = fnv1a64(`lint${LINT_VERSION}\u0001${JSON.stringify(kb)}`);
  const cached = cache.loadIssues(key);
  if (cached) return cached;
  const issues = lint();
  if (!hasErrors(issues)) cache.saveIssues(key, issues);
  return issues;
}

/**
 * Trains the classifier (intents and the danger head), or takes it from the cache when nothing
 * it learns from has changed: the examples and keywords, the lexicons that shape the features,
 * the feature and training code's versions and the design.
 */
function classifierFor(kb: KnowledgeBase, options: EngineOptions, featuresOf: (text: string) => string[]): IntentClassifier {
  const design = options.design ?? DEFAULT_DESIGN;
  const classifierOptions = { temperature: options.temperature ?? DEFAULT_TEMPERATURE };
  const key = design === 'logreg' && options.modelCache ? modelKey(kb, design) : undefined;
  const cached = key ? options.modelCache?.load(key) : undefined;
  if (cached) return classifierFromCache(cached, classifierOptions);
  const examples = kb.intents.flatMap((intent) => [
    // An intent's keywords are reliable short phrases of it: the model learns them too, so a
    // keyword weighs in a longer message even where the rule alone would not decide.
    ...[...intent.examples, ...intent.keywords].map((example) => ({ intent: intent.name, features: featuresOf(example) })),
    // Every other short example again as pinyin, so a message typed in pinyin is understood.
    ...intent.examples
      .filter((example, i) => i % 4 === 0 && example.length <= PINYIN_VARIANT_MAX_CHARS && HAN.test(example))
      .map((example) => ({ intent: intent.name, features: featuresOf(asPinyin(example)) })),
  ]);
  const classifier = (options.trainer ?? trainLogRegOnly)(examples, design, classifierOptions);
  if (key && classifier.serialize) options.modelCache?.save(key, classifier.serialize());
  return classifier;
}

const PINYIN_VARIANT_MAX_CHARS = 12;
const HAN = /\p{Script=Han}/u;

/** Softmax temperature chosen on the dev set with `npm run eval` (expected calibration error). */
export const DEFAULT_TEMPERATURE = 0.5;

export function modelKey(kb: KnowledgeBase, design: ClassifierDesign): string {
  const parts = [
    `f${FEATURE_VERSION}m${MODEL_VERSION}`,
    design,
    JSON.stringify(kb.homophones),
    JSON.stringify(kb.aspects),
    JSON.stringify(kb.bilingual ?? {}),
    kb.dictionary.join('\n'),
    ...kb.intents.map((intent) => `${intent.name}\u0001${intent.examples.join('\u0002')}`),
  ];
  return fnv1a64(parts.join('\u0003'));
}


function freshState(state: DialogueState | undefined, now: Date, options: EngineOptions): DialogueState {
  const ttlMs = (options.contextTtlMinutes ?? 30) * 60_000;
  if (state && now.getTime() - Date.parse(state.updatedAt) <= ttlMs) return state;
  return { turns: 0, history: [], updatedAt: now.toISOString() };
}

// === respond ================================================================================

function respond(
  model: Model,
  options: EngineOptions,
  input: EngineInput,
  state: DialogueState,
  now: Date,
): EngineResult {
  const userText = describeInput(input);
  const outcome = dispatch(model, input, state);
  const { reply } = outcome;
  const nextState: DialogueState = {
    ...state,
    ...outcome.statePatch,
    turns: state.turns + 1,
    history: [
      ...state.history,
      // Mask first, then cut: a number cut in half at the limit would no longer be recognised.
      { role: 'user' as const, text: maskPersonalNumbers(userText).slice(0, 300), at: now.toISOString() },
      { role: 'bot' as const, text: reply.text.slice(0, 300), at: now.toISOString() },
    ].slice(-HISTORY_TURNS * 2),
    updatedAt: now.toISOString(),
  };
  for (const key of Object.keys(nextState) as Array<keyof DialogueState>) {
    if (nextState[key] === undefined) delete nextState[key];
  }
  return { reply, state: nextState, trace: outcome.trace };
}

interface Outcome {
  reply: Reply;
  statePatch: Partial<DialogueState>;
  trace: Trace;
}

function dispatch(model: Model, input: EngineInput, state: DialogueState): Outcome {
  const baseTrace: Trace = {
    normalized: '', tokens: [], ranked: [], threshold: model.parts.threshold,
    decidedBy: 'button', otherIntents: [], facts: [],
  };
  switch (input.kind) {
    case 'unsupported':
      return {
        reply: plainReply('unsupported', messages.unsupported[input.what] ?? messages.unsupported.other),
        statePatch: {},
        trace: { ...baseTrace, decidedBy: 'input' },
      };
    case 'intent':
      return fromDecision(model, { kind: 'answer', intent: input.intent, confidence: 1, by: 'button', others: [] }, state, baseTrace);
    case 'choice':
      return fromDecision(model, { kind: 'flow_choice', value: input.value }, state, { ...baseTrace, decidedBy: 'flow' });
    case 'text': {
      const understanding = understand(input.text, model.parts, { afterDanger: state.lastDanger === true });
      const decision = decide(understanding, state, {
        index: model.index,
        aspects: model.kb.aspects,
        flows: model.kb.flows,
        ...(model.kb.followUps ? { followUps: model.kb.followUps } : {}),
      });
      return fromDecision(model, decision, state, traceOf(understanding, decision, model.parts.threshold), understanding);
    }
  }
}

function traceOf(u: Understanding, decision: Decision, threshold: number): Trace {
  return {
    normalized: u.normalized.text,
    tokens: u.tokens,
    ...(u.rule ? { rule: { intent: u.rule.intent, match: u.rule.match, priority: u.rule.priority } } : {}),
    ranked: u.ranked,
    threshold,
    decidedBy: decidedByOf(decision),
    otherIntents: u.otherIntents,
    facts: [],
    ...(u.decidedBy === 'input' ? {} : { danger: { level: u.danger.level, reason: u.danger.reason } }),
  };
}

/** What staff read as "决定方式": the stage that settled this reply. */
function decidedByOf(decision: Decision): DecidedBy {
  switch (decision.kind) {
    case 'invalid':
      return 'input';
    case 'emergency':
      return 'emergency';
    case 'handoff':
      return 'rule';
    case 'flow_choice':
    case 'flow_repeat':
      return 'flow';
    case 'flow_start':
    case 'answer':
      return decision.by;
    case 'ambiguous':
      return 'classifier';
    case 'clarify':
      return 'fallback';
  }
}

function fromDecision(model: Model, decision: Decision, state: DialogueState, trace: Trace, u?: Understanding): Outcome {
  const { index } = model;
  const lead = u?.normalized.truncated ? messages.truncated : undefined;
  // An uncertain sign of danger: the answer leads with 110/120 (a fact, so it is cited).
  const safety = u?.danger.level === 'possible' ? index.fact(SAFETY_LINE_FACT) : undefined;
  const dangerNow = decision.kind === 'emergency' || safety !== undefined;
  const done = (reply: Reply, statePatch: Partial<DialogueState>, factIds: { id: string; source: string }[] = []): Outcome => ({
    reply,
    statePatch: u ? { ...statePatch, lastDanger: dangerNow || undefined } : statePatch,
    trace: { ...trace, facts: factIds },
  });
  const fromFlow = ({ reply, statePatch, facts }: FlowReply): Outcome =>
    done(reply, statePatch, facts.map((fact) => ({ id: fact.id, source: fact.source.id })));
  const startFlowOutcome = (flowId: string, intentName: string): Outcome => {
    const flow = model.kb.flows.find((f) => f.id === flowId);
    // lint refuses an intent whose flow does not exist; this only guards hand-built data.
    if (!flow) return done(plainReply('clarify', messages.clarify, { suggestions: menuSuggestions(index) }), {});
    return fromFlow(startFlowReply(index, flow, intentName));
  };
  const answerIntent = (name: string, kind: Reply['kind'], confidence: number, others: string[] = []): Outcome => {
    const intent = index.intent(name);
    if (!intent) {
      // A stale or forged button names an intent that no longer exists: offer the menu.
      return done(plainReply('clarify', messages.clarify, { suggestions: menuSuggestions(index) }), {});
    }
    if (intent.answer.flow) return startFlowOutcome(intent.answer.flow, name);
    const plain = others.length === 0 && !lead && !(safety && kind !== 'emergency');
    const { reply, facts } = plain
      ? cachedAnswer(model, intent, kind, confidence)
      : answerReply(index, intent, { kind, intent: name, confidence }, { others, lead, ...(safety && kind !== 'emergency' ? { safety } : {}) });
    return done(
      reply,
      { lastIntent: name, lastTopic: topicOf(name) as string, pendingOptions: undefined, flow: undefined },
      facts.map((fact) => ({ id: fact.id, source: fact.source.id })),
    );
  };

  switch (decision.kind) {
    case 'invalid': {
      const text = decision.reason === 'binary' ? messages.binary : decision.reason === 'emoji' ? messages.emojiOnly : messages.empty;
      return done(plainReply('invalid', text, { suggestions: menuSuggestions(index) }), {});
    }
    case 'emergency':
      return answerIntent(decision.intent, 'emergency', 1);
    case 'handoff':
      return answerIntent(decision.intent, 'handoff', 1);
    case 'answer':
      return answerIntent(decision.intent, 'answer', decision.confidence, decision.others);
    case 'flow_start': {
      const flowId = index.intent(decision.intent)?.answer.flow;
      return flowId ? startFlowOutcome(flowId, decision.intent) : answerIntent(decision.intent, 'answer', 1);
    }
    case 'flow_choice':
    case 'flow_repeat': {
      const flow = model.kb.flows.find((f) => f.id === state.flow?.kind);
      if (!flow || !state.flow) {
        // A flow button pressed after the flow ended (or its context expired): say so and offer
        // to start again, rather than "not understood".
        const ended = decision.kind === 'flow_choice' ? flowOfChoice(model.kb.flows, decision.value) : undefined;
        if (ended) {
          const starter = model.kb.intents.find((intent) => intent.answer.flow === ended.id)?.name;
          return fromFlow(endedFlowReply(index, ended, starter));
        }
        return done(plainReply('clarify', messages.clarify, { suggestions: menuSuggestions(index) }), { flow: undefined });
      }
      return fromFlow(continueFlowReply(index, flow, state.flow, decision.kind === 'flow_choice' ? decision.value : undefined));
    }
    case 'ambiguous': {
      const options = decision.options.flatMap((name) => index.intent(name) ?? []);
      const text = [messages.ambiguous, ...options.map((intent, i) => `${i + 1}. ${intent.question}`)].join('\n');
      return done(
        plainReply('ambiguous', text, { intent: decision.options[0], confidence: decision.confidence, suggestions: options.map(toSuggestion) }),
        { pendingOptions: options.map((intent) => intent.name) },
      );
    }
    case 'clarify': {
      const guesses = decision.guesses.flatMap((name) => index.intent(name) ?? []);
      const story = (u?.normalized.text.length ?? 0) >= STORY_CHARS;
      const text = [
        ...(safety ? [safety.text] : []),
        story ? messages.clarifyStory : messages.clarify,
        ...(guesses.length ? [messages.guesses] : []),
      ].join('\n');
      const menu = menuSuggestions(index).filter((entry) => !decision.guesses.includes(entry.intent));
      return done(
        plainReply('clarify', text, { confidence: decision.confidence, suggestions: [...guesses.map(toSuggestion), ...menu] }),
        { pendingOptions: undefined },
      );
    }
  }
}
