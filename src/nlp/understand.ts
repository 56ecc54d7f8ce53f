import type { ScoredIntent } from './scored-intent.ts';
import { NONE_INTENT, topicOf } from '../knowledge/topics.ts';
import type { IntentClassifier } from './classify.ts';
import { assessDanger, EMPTY_DANGER_LEXICON, type DangerAssessment, type DangerCue, type DangerLexicon, type DangerThresholds } from './danger.ts';
import type { Normalized, Normalizer } from './normalize.ts';
import type { RuleHit, RuleSet } from './rules.ts';
import { features as toFeatures, type AspectCues, type Segmenter } from './segment.ts';

/**
 * The pipeline, read top to bottom: normalise → segment → rules → classify → pick. Pure given
 * its parts. "Not understood" is a value (`intent: 'none'`) with the full ranking kept.
 */

export interface UnderstandParts {
  normalize: Normalizer;
  segment: Segmenter;
  rules: RuleSet;
  classifier: IntentClassifier;
  /** Calibrated score below which the intent is `none`. */
  threshold: number;
  /** Top two closer than this → ambiguous. */
  margin: number;
  /** Words that say whether a danger cue is happening now (data/lexicon/danger.yaml). */
  danger?: DangerLexicon;
  /** Question-kind cues (data/lexicon/aspects.yaml), added as features. */
  aspectCues?: AspectCues;
  dangerThresholds?: DangerThresholds;
}

/** What the conversation so far tells the understanding of this message. */
export interface UnderstandContext {
  /** The previous turn was an emergency: "他又来了" needs less to count. */
  afterDanger?: boolean;
}

export interface Understanding {
  normalized: Normalized;
  tokens: string[];
  ruleHits: RuleHit[];
  /** Top intents (classifier scores after the coverage adjustment), best first. */
  ranked: ScoredIntent[];
  coverage: number;
  /** The chosen intent or `none`. */
  intent: string;
  confidence: number;
  decidedBy: 'emergency' | 'rule' | 'classifier' | 'fallback' | 'input';
  rule?: RuleHit;
  /** Set when the top two are too close to choose. */
  ambiguousWith?: string;
  /** Other matters a long message raised, each a confident intent of another topic. */
  otherIntents: string[];
  /** Is someone in danger now: `possible` answers the question and leads with 110/120. */
  danger: DangerAssessment;
}

/** Defaults tuned with `npm run eval` (see the README's figures). */
export const DEFAULT_THRESHOLD = 0.3;
export const DEFAULT_MARGIN = 0.05;

const TOP_N = 5;
/** Ambiguity is only asked about when the leader itself is not clear. */
const AMBIGUITY_CEILING = 0.6;
/** A normal (non-override) keyword is trusted over a classifier less sure than this. */
const RULE_TRUST = 0.6;
/** Confidence reported for a normal keyword rule the classifier did not already agree with. */
const RULE_CONFIDENCE = 0.75;
/** Below this share of known features the classifier's score is scaled down (unknown words). */
const FULL_COVERAGE = 0.55;
const LONG_MESSAGE = 40;
/** A long story is read sentence by sentence, up to this many (the rest is rarely new). */
const MAX_SENTENCES = 6;
/** Clauses shorter than this are joined to the next one. */
const MIN_CHUNK = 12;
/** A sentence longer than this is split at its commas too. */
const RUN_ON = 40;

interface Sentence {
  text: string;
  hits: RuleHit[];
  ranked: ScoredIntent[];
  emergency: EmergencyScore;
}

/** The classifier's total probability for the emergency intents, and the most likely of them. */
interface EmergencyScore {
  mass: number;
  /** The best non-emergency intent's score: how sure an ordinary reading is. */
  ordinary: number;
  /** From the danger model (true), or only the intents' share (no danger model: too little data). */
  calibrated: boolean;
  intent?: string;
}

const NO_DANGER: DangerAssessment = { level: 'none', reason: '' };

export function understand(raw: string, parts: UnderstandParts, context: UnderstandContext = {}): Understanding {
  const normalized = parts.normalize(raw);
  if (normalized.empty || normalized.binary || normalized.emojiOnly) {
    return emptyUnderstanding(normalized, 'input');
  }
  // "律师你好，老人不在了，抚恤金没下来" is a question, not a greeting: the greeting is only
  // classified when it is all there is.
  const body = withoutGreeting(normalized.text);
  const tokens = parts.segment(body);
  const ruleHits = parts.rules.match(normalized.text);
  const whole = classifyText(tokens, parts);
  const { coverage } = whole;
  const ranked = whole.ranked.slice(0, TOP_N);

  const sentences =
    normalized.text.length >= LONG_MESSAGE ? readSentences(body === normalized.text ? tokens : parts.segment(normalized.text), parts) : [];
  const danger = assessDanger(dangerCues(normalized.text, ruleHits, whole.emergency, sentences), parts.danger ?? EMPTY_DANGER_LEXICON, {
    afterDanger: context.afterDanger ?? false,
    ...(parts.dangerThresholds ? { thresholds: parts.dangerThresholds } : {}),
  });
  if (danger.level === 'certain' && danger.intent) {
    const rule = ruleHits.find((hit) => hit.intent === danger.intent && hit.priority === 'override');
    return {
      normalized, tokens, ruleHits, ranked, coverage,
      intent: danger.intent,
      confidence: 1,
      decidedBy: 'emergency',
      ...(rule ? { rule } : {}),
      otherIntents: [],
      danger,
    };
  }
  // Asking for a person (the other override) beats the classifier.
  const handoff = ruleHits.find((hit) => hit.priority === 'override' && topicOf(hit.intent) !== 'emergency');
  if (handoff) {
    return { normalized, tokens, ruleHits, ranked, coverage, intent: handoff.intent, confidence: 1, decidedBy: 'rule', rule: handoff, otherIntents: [], danger };
  }

  // Without a rule or the net, an emergency intent is not answered: a low emergency score on
  // "房产证写老公的名字" must not produce a domestic-violence answer. Greetings and thanks are
  // short by nature: a long question that ends in 谢谢 is not a thank-you.
  // (The trace keeps the full ranking so staff can see those scores.)
  // The emergency intents' share was judged above; the rest is renormalised so a message that
  // was half "danger" and judged safe is not left below the threshold for its real question.
  const candidates = withoutEmergencyShare(whole.ranked)
    .filter((entry) => !(body.length > SOCIAL_MAX_CHARS && SOCIAL.has(entry.intent)))
    .slice(0, TOP_N);
  const top = candidates[0] ?? { intent: NONE_INTENT, score: 0 };
  const second = candidates[1];
  const ruleChoice = pickNormalRule(ruleHits, candidates, top);
  const otherIntents =
    otherMatters(sentences, parts.threshold, ruleChoice?.intent ?? top.intent);

  if (ruleChoice) {
    return {
      normalized, tokens, ruleHits, ranked, coverage,
      intent: ruleChoice.intent,
      confidence: Math.max(RULE_CONFIDENCE, scoreOf(ranked, ruleChoice.intent)),
      decidedBy: 'rule',
      rule: ruleChoice,
      otherIntents,
      danger,
    };
  }
  if (top.score < parts.threshold) {
    return { normalized, tokens, ruleHits, ranked, coverage, intent: NONE_INTENT, confidence: top.score, decidedBy: 'fallback', otherIntents, danger };
  }
  const ambiguous =
    second !== undefined &&
    top.score < AMBIGUITY_CEILING &&
    top.score - second.score < parts.margin &&
    second.score >= parts.threshold;
  return {
    normalized, tokens, ruleHits, ranked, coverage,
    intent: top.intent,
    confidence: top.score,
    decidedBy: 'classifier',
    ...(ambiguous ? { ambiguousWith: second.intent } : {}),
    otherIntents,
    danger,
  };
}

/** The non-emergency intents, their scores divided by the share the emergency intents had. */
function withoutEmergencyShare(ranked: ScoredIntent[]): ScoredIntent[] {
  let total = 0;
  let emergency = 0;
  for (const entry of ranked) {
    total += entry.score;
    if (entry.intent.startsWith('emergency.')) emergency += entry.score;
  }
  const rest = ranked.filter((entry) => !entry.intent.startsWith('emergency.'));
  if (total <= 0 || emergency <= 0) return rest;
  const factor = total / Math.max(total - emergency, 1e-9);
  return rest.map((entry) => ({ intent: entry.intent, score: round(Math.min(1, entry.score * factor)) }));
}

/**
 * Every sign of danger, with the sentence it sits in: the emergency keywords and patterns, and
 * the classifier's emergency probability for the whole message and for each sentence of a story.
 */
function dangerCues(text: string, hits: RuleHit[], whole: EmergencyScore, sentences: Sentence[]): DangerCue[] {
  const cues: DangerCue[] = [];
  const sentenceOf = (match: string) => sentences.find((s) => s.text.includes(match));
  for (const hit of hits) {
    if (hit.priority !== 'override' || topicOf(hit.intent) !== 'emergency') continue;
    const sentence = sentenceOf(hit.match);
    cues.push({
      intent: hit.intent, match: hit.match, byRule: true,
      sentence: sentence?.text ?? text,
      score: Math.max(whole.mass, sentence?.emergency.mass ?? 0),
    });
  }
  if (whole.intent) {
    cues.push({ intent: whole.intent, match: '', byRule: false, sentence: text, score: whole.mass, ordinary: whole.ordinary, ...(whole.calibrated ? {} : { weak: true }) });
  }
  for (const sentence of sentences) {
    for (const hit of sentence.hits) {
      if (hit.priority !== 'override' || topicOf(hit.intent) !== 'emergency') continue;
      cues.push({ intent: hit.intent, match: hit.match, byRule: true, sentence: sentence.text, score: sentence.emergency.mass });
    }
    if (sentence.emergency.intent) {
      cues.push({
        intent: sentence.emergency.intent, match: '', byRule: false, partial: true, sentence: sentence.text, score: sentence.emergency.mass, ordinary: sentence.emergency.ordinary,
        ...(sentence.emergency.calibrated ? {} : { weak: true }),
      });
    }
  }
  return cues;
}

const SOCIAL = new Set(['chitchat.greet', 'chitchat.thanks', 'chitchat.bye']);
const SOCIAL_MAX_CHARS = 15;

const LEADING_GREETING = /^(律师|老师|同志|工作人员|客服)?(您好|你好|你们好|在吗|在不在|请问|打扰了?|麻烦问一下|hello|hi)+[\s,，.。!！:：~～、]*/u;

function withoutGreeting(text: string): string {
  const rest = text.replace(LEADING_GREETING, '');
  return rest.length >= 4 ? rest : text;
}

/**
 * Classifier scores (all intents, best first), scaled down when most of the message is words no
 * example has, and the emergency intents' share. Emergency probability is not scaled: an unknown
 * word must not hide a cry for help.
 */
function classifyText(
  tokens: string[],
  parts: Pick<UnderstandParts, 'classifier' | 'aspectCues'>,
  classifier: IntentClassifier = parts.classifier,
): { ranked: ScoredIntent[]; coverage: number; emergency: EmergencyScore } {
  const features = toFeatures(tokens, parts.aspectCues);
  const { ranked, coverage, danger } = classifier.rank(features);
  const factor = Math.min(1, coverage / FULL_COVERAGE);
  // How likely danger is comes from the danger model; which kind of danger, from the intents.
  let mass = 0;
  let intent: string | undefined;
  for (const entry of ranked) {
    if (!entry.intent.startsWith('emergency.')) continue;
    mass += entry.score;
    intent ??= entry.intent;
  }
  if (danger !== undefined) mass = danger;
  const calibrated = danger !== undefined;
  const scaled = ranked.map((entry) => ({ intent: entry.intent, score: round(entry.score * factor) }));
  const ordinary = ranked.find((entry) => !entry.intent.startsWith('emergency.'))?.score ?? 0;
  return { ranked: scaled, coverage: round(coverage), emergency: { mass: round(mass), ordinary, calibrated, ...(intent ? { intent } : {}) } };
}

/** Each sentence of a long message, classified once for the emergency net and other matters. */
function readSentences(tokens: readonly string[], parts: UnderstandParts): Sentence[] {
  // Sentences first; a run-on sentence (citizens often write one long line) by its commas, and
  // short clauses joined again up to a readable length: "前年借给他八万，说好一年还" is one
  // thought, and every piece costs a classification. Cut from the message's own words, so
  // nothing is segmented twice.
  const sentences: string[][] = [[]];
  for (const token of tokens) {
    if (SENTENCE_END.test(token)) sentences.push([]);
    else sentences[sentences.length - 1]?.push(token);
  }
  const clauses = sentences.flatMap((sentence) => {
    if (sentence.join('').length <= RUN_ON) return [sentence];
    const parts: string[][] = [[]];
    for (const token of sentence) {
      if (COMMA.test(token)) parts.push([]);
      else parts[parts.length - 1]?.push(token);
    }
    return parts;
  });
  const chunks: string[][] = [];
  for (const clause of clauses) {
    if (clause.join('').trim() === '') continue;
    const last = chunks[chunks.length - 1];
    if (last && last.join('').length < MIN_CHUNK) last.push('，', ...clause);
    else chunks.push([...clause]);
  }
  return chunks
    .map((chunk) => ({ chunk, text: chunk.join('').trim() }))
    .filter(({ text }) => text.length >= 4)
    .slice(0, MAX_SENTENCES)
    .map(({ chunk, text }) => {
      const { ranked, emergency } = classifyText(chunk, parts, parts.classifier.fast ?? parts.classifier);
      return { text, hits: parts.rules.match(text), ranked: ranked.slice(0, TOP_N), emergency };
    });
}

const SENTENCE_END = /^[。！？!?；;\n]+$/u;
const COMMA = /^[，,]+$/u;

/**
 * Keyword and pattern rules next to the classifier. A pattern is written to be precise
 * ("调解员…多少"), so it is trusted over the classifier; a bare keyword only decides when the
 * classifier is unsure.
 */
function pickNormalRule(hits: RuleHit[], ranked: ScoredIntent[], top: ScoredIntent): RuleHit | undefined {
  const normal = hits.filter((hit) => hit.priority === 'normal');
  if (normal.length === 0) return undefined;
  if (normal.some((hit) => hit.intent === top.intent)) return undefined; // the classifier agrees
  const pattern = normal.find((hit) => hit.byPattern);
  if (pattern) return pattern;
  if (top.score >= RULE_TRUST) return undefined;
  // Several keywords: the one the classifier likes most, then the most specific.
  return [...normal].sort((a, b) => scoreOf(ranked, b.intent) - scoreOf(ranked, a.intent) || b.match.length - a.match.length)[0];
}

/**
 * A long story often raises more than one matter ("被打了，工资也没发"): confident intents of
 * other topics found in its sentences are offered after the main answer.
 */
function otherMatters(sentences: Sentence[], threshold: number, mainIntent: string): string[] {
  const mainTopic = topicOf(mainIntent);
  const found: string[] = [];
  for (const sentence of sentences) {
    const hit = sentence.hits.find((h) => h.priority === 'normal');
    const best = hit ? { intent: hit.intent, score: 1 } : sentence.ranked[0];
    if (!best || best.score < Math.max(threshold, 0.5)) continue;
    const topic = topicOf(best.intent);
    if (topic === mainTopic || topic === 'chitchat' || topic === 'out_of_scope') continue;
    if (!found.some((intent) => topicOf(intent) === topic)) found.push(best.intent);
  }
  return found.slice(0, 2);
}

function emptyUnderstanding(normalized: Normalized, decidedBy: Understanding['decidedBy']): Understanding {
  return {
    normalized, tokens: [], ruleHits: [], ranked: [], coverage: 0,
    intent: NONE_INTENT, confidence: 0, decidedBy, otherIntents: [], danger: NO_DANGER,
  };
}

function scoreOf(ranked: ScoredIntent[], intent: string): number {
  return ranked.find((entry) => entry.intent === intent)?.score ?? 0;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
