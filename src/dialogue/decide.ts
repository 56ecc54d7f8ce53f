import type { Flow } from '../knowledge/schema.ts';
import type { KnowledgeIndex } from '../knowledge/facts.ts';
import { NONE_INTENT, topicOf } from '../knowledge/topics.ts';
import type { Understanding } from '../nlp/understand.ts';
import { typedChoice } from './flow.ts';
import type { DecidedBy, DialogueState } from './types.ts';

/**
 * Stage 4: what to do with an understood message, given the conversation so far. The order of
 * precedence lives in `decide` and reads top to bottom: emergency always wins.
 */

export type Decision =
  | { kind: 'invalid'; reason: 'empty' | 'binary' | 'emoji' }
  | { kind: 'emergency'; intent: string }
  | { kind: 'handoff'; intent: string }
  | { kind: 'flow_choice'; value: string }
  | { kind: 'flow_repeat' }
  | { kind: 'flow_start'; intent: string; by: DecidedBy }
  | { kind: 'answer'; intent: string; confidence: number; by: DecidedBy; others: string[] }
  | { kind: 'ambiguous'; options: [string, string]; confidence: number }
  /** `guesses`: the classifier's weak leads, offered as "did you mean" buttons. */
  | { kind: 'clarify'; confidence: number; guesses: string[] };

export interface DecideContext {
  index: KnowledgeIndex;
  /** aspect → cue words, from data/lexicon/aspects.yaml. */
  aspects: Record<string, string[]>;
  flows: readonly Flow[];
  /** Filler words and per-topic routes for follow-ups (data/lexicon/aspects.yaml). */
  followUps?: { fillers: readonly string[]; routes: Record<string, Record<string, string>> };
}

/** A follow-up this short that names an aspect ("那要带什么材料？") is read in context. */
const ELLIPTICAL_MAX_CHARS = 16;
/** Confidence reported for a follow-up read in context (the message alone says little). */
const CONTEXT_CONFIDENCE = 0.6;

export function decide(u: Understanding, state: DialogueState | undefined, ctx: DecideContext): Decision {
  if (u.decidedBy === 'input') {
    return { kind: 'invalid', reason: u.normalized.binary ? 'binary' : u.normalized.emojiOnly ? 'emoji' : 'empty' };
  }
  if (u.decidedBy === 'emergency') return { kind: 'emergency', intent: u.intent };
  if (u.rule?.priority === 'override' && topicOf(u.intent) === 'handoff') return { kind: 'handoff', intent: u.intent };

  const flow = state?.flow ? ctx.flows.find((f) => f.id === state.flow?.kind) : undefined;
  if (state?.flow && flow) {
    const value = typedChoice(flow, state.flow, u.normalized.text);
    if (value) return { kind: 'flow_choice', value };
    // Anything the bot understands leaves the flow; anything else repeats the question.
    if (u.intent === NONE_INTENT) return { kind: 'flow_repeat' };
  }

  const picked = pickPendingOption(u.normalized.text, state);
  if (picked) return answerOrFlow(picked, 1, 'context', [], ctx);

  const contextual = resolveInContext(u, state, ctx);
  if (contextual) return answerOrFlow(contextual, Math.max(u.confidence, CONTEXT_CONFIDENCE), 'context', [], ctx);

  if (u.intent === NONE_INTENT) return { kind: 'clarify', confidence: u.confidence, guesses: weakLeads(u) };
  if (u.ambiguousWith) return { kind: 'ambiguous', options: [u.intent, u.ambiguousWith], confidence: u.confidence };
  return answerOrFlow(u.intent, u.confidence, u.decidedBy === 'rule' ? 'rule' : 'classifier', u.otherIntents, ctx);
}

/** Below the threshold but not nothing: up to three leads worth offering as buttons. */
const LEAD_FLOOR = 0.1;

function weakLeads(u: Understanding): string[] {
  return u.ranked
    .filter((entry) => entry.score >= LEAD_FLOOR && !entry.intent.startsWith('emergency.') && !entry.intent.startsWith('out_of_scope.'))
    .slice(0, 3)
    .map((entry) => entry.intent);
}

function answerOrFlow(intent: string, confidence: number, by: DecidedBy, others: string[], ctx: DecideContext): Decision {
  if (ctx.index.intent(intent)?.answer.flow) return { kind: 'flow_start', intent, by };
  return { kind: 'answer', intent, confidence, by, others };
}

/** After "您想问的是哪一个？", a reply of "1"/"第二个" picks an option. */
function pickPendingOption(text: string, state: DialogueState | undefined): string | undefined {
  const options = state?.pendingOptions ?? [];
  if (options.length === 0) return undefined;
  const match = /^第?([1-9一二三四])个?$/u.exec(text.trim());
  if (!match) return undefined;
  const numerals: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4 };
  const index = Number(match[1]) || numerals[match[1] ?? ''] || 0;
  return options[index - 1];
}

/**
 * "那要带什么材料？" after a legal-aid answer means legal_aid.materials: a short message that
 * names no matter of its own, only an aspect (deadline, place, cost, materials, who, "what if
 * they refuse"), is read as that aspect of the previous topic — even when a keyword or the
 * classifier would have sent it elsewhere ("要钱吗" is not a question about 12348's cost after a
 * reconsideration answer). The topic's own `topic.aspect` intent answers it; failing that, the
 * route in aspects.yaml (another aspect, or `same`: the previous answer covers it).
 */
function resolveInContext(u: Understanding, state: DialogueState | undefined, ctx: DecideContext): string | undefined {
  const lastTopic = state?.lastTopic;
  if (!state) return undefined;
  const text = u.normalized.text;
  if (!lastTopic || text.length > ELLIPTICAL_MAX_CHARS) return undefined;
  if (['emergency', 'handoff', 'chitchat', 'out_of_scope'].includes(lastTopic)) return undefined;
  const routes = ctx.followUps?.routes[lastTopic] ?? {};
  // Already on the previous matter: its topic, or — where the topic's intents are separate
  // problems answered whole (triage: a labour question and a debt question) — its intent.
  const problems = Object.values(routes).includes('same');
  const sameMatter = problems ? u.intent === state.lastIntent : topicOf(u.intent) === lastTopic;
  // …unless the previous matter has a finer route for exactly this question
  // (triage.labor_injury → triage.labor_injury_deadline for "那要多久之内申请").
  const finer = state.lastIntent ? finerRoute(text, state.lastIntent, ctx) : undefined;
  if (u.intent !== NONE_INTENT && sameMatter && u.decidedBy !== 'fallback' && !finer) return undefined;
  const fillers = ctx.followUps?.fillers ?? [];
  const last = state.lastIntent ? ctx.index.intent(state.lastIntent) : undefined;
  // Words of the previous answer itself name no new matter ("仲裁要钱吗" after a labour answer
  // that mentioned 劳动仲裁).
  const previous = last ? [last.description, last.question, ...ctx.index.factsFor(last).map((fact) => fact.text)].join('\n') : '';
  if (!isElliptical(text, ctx.aspects, fillers, previous)) return undefined;
  if (finer) return finer;
  for (const [aspect, cues] of Object.entries(ctx.aspects)) {
    if (!cues.some((cue) => text.includes(cue))) continue;
    const own = `${lastTopic}.${aspect}`;
    if (ctx.index.intent(own)) return own;
    const route = routes[aspect];
    if (route === 'same' && state?.lastIntent && ctx.index.intent(state.lastIntent)) return state.lastIntent;
    if (route && ctx.index.intent(`${lastTopic}.${route}`)) return `${lastTopic}.${route}`;
  }
  return undefined;
}

/** `<previous intent>_<aspect>`, when such an intent exists and the message asks that aspect. */
function finerRoute(text: string, lastIntent: string, ctx: DecideContext): string | undefined {
  for (const [aspect, cues] of Object.entries(ctx.aspects)) {
    if (!cues.some((cue) => text.includes(cue))) continue;
    const finer = `${lastIntent}_${aspect}`;
    if (ctx.index.intent(finer)) return finer;
  }
  return undefined;
}

/** Words that carry no matter of their own in a follow-up ("那…呢", "要…吗"). */
const FILLERS = /[那么呢吗吧啊呀嘛哦的了要去还请问我你是该能可以得需怎样办多少个些哪什何么这也就都再到跟和给让在有]/gu;

/**
 * "那要带什么材料？" is elliptical: without its aspect cue and filler words nothing is left.
 * "赣服通是什么" is not: "赣服通" names its own matter, so the previous topic must not win.
 */
function isElliptical(text: string, aspects: Record<string, string[]>, fillers: readonly string[], previous: string): boolean {
  let rest = text;
  const words = [...Object.values(aspects).flat(), ...fillers].sort((a, b) => b.length - a.length);
  for (const word of words) rest = rest.split(word).join('');
  rest = rest.replace(/[\p{P}\p{S}\s\d]/gu, '').replace(FILLERS, '');
  if (rest.length < 2) return true;
  // What is left is the previous answer's own vocabulary: every pair of characters in it.
  for (let i = 0; i + 1 < rest.length; i += 1) if (!previous.includes(rest.slice(i, i + 2))) return false;
  return previous !== '';
}
