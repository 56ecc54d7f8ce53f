import type { ScoredIntent } from '../dialogue/types.ts';
import { NONE_INTENT, topicOf } from '../knowledge/topics.ts';
import type { IntentClassifier } from './classify.ts';
import type { Normalized, Normalizer } from './normalize.ts';
import type { RuleHit, RuleSet } from './rules.ts';
import { features as toFeatures, type Segmenter } from './segment.ts';

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
}

/** Defaults tuned with `npm run eval` (see the README's figures). */
export const DEFAULT_THRESHOLD = 0.3;
export const DEFAULT_MARGIN = 0.05;

const TOP_N = 5;
/**
 * Safety net under the emergency keywords: a message the classifier scores this close to an
 * emergency intent is treated as one. A false alarm costs a citizen one extra line with 110;
 * a missed cry for help costs far more.
 */
const EMERGENCY_FLOOR = 0.4;
/** A sentence of a story is short and noisy: its net is set higher than the whole message's. */
const SENTENCE_EMERGENCY_FLOOR = 0.6;
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
const MAX_SENTENCES = 10;
/** A sentence longer than this is split at its commas too. */
const RUN_ON = 40;

interface Sentence {
  hits: RuleHit[];
  ranked: ScoredIntent[];
  emergency?: ScoredIntent;
}

export function understand(raw: string, parts: UnderstandParts): Understanding {
  const normalized = parts.normalize(raw);
  if (normalized.empty || normalized.binary || normalized.emojiOnly) {
    return emptyUnderstanding(normalized, 'input');
  }
  // "律师你好，老人不在了，抚恤金没下来" is a question, not a greeting: the greeting is only
  // classified when it is all there is.
  const body = withoutGreeting(normalized.text);
  const tokens = parts.segment(body);
  const ruleHits = parts.rules.match(normalized.text);
  const { ranked, coverage, emergency } = classifyText(tokens, parts.classifier);

  const sentences = normalized.text.length >= LONG_MESSAGE ? readSentences(normalized.text, parts) : [];
  const override = ruleHits.find((hit) => hit.priority === 'override') ?? emergencyNet(sentences, emergency);
  if (override) {
    return {
      normalized, tokens, ruleHits, ranked, coverage,
      intent: override.intent,
      confidence: 1,
      decidedBy: topicOf(override.intent) === 'emergency' ? 'emergency' : 'rule',
      rule: override,
      otherIntents: [],
    };
  }

  // Without a rule or the net, an emergency intent is not answered: a low emergency score on
  // "房产证写老公的名字" must not produce a domestic-violence answer. Greetings and thanks are
  // short by nature: a long question that ends in 谢谢 is not a thank-you.
  // (The trace keeps the full ranking so staff can see those scores.)
  const candidates = ranked.filter(
    (entry) => !entry.intent.startsWith('emergency.') && !(body.length > SOCIAL_MAX_CHARS && SOCIAL.has(entry.intent)),
  );
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
    };
  }
  if (top.score < parts.threshold) {
    return { normalized, tokens, ruleHits, ranked, coverage, intent: NONE_INTENT, confidence: top.score, decidedBy: 'fallback', otherIntents };
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
  };
}

const SOCIAL = new Set(['chitchat.greet', 'chitchat.thanks', 'chitchat.bye']);
const SOCIAL_MAX_CHARS = 15;

const LEADING_GREETING = /^(律师|老师|同志|工作人员|客服)?(您好|你好|你们好|在吗|在不在|请问|打扰了?|麻烦问一下|hello|hi)+[\s,，.。!！:：~～、]*/u;

function withoutGreeting(text: string): string {
  const rest = text.replace(LEADING_GREETING, '');
  return rest.length >= 4 ? rest : text;
}

/** Classifier scores, scaled down when most of the message is words no example has. */
function classifyText(
  tokens: string[],
  classifier: IntentClassifier,
): { ranked: ScoredIntent[]; coverage: number; emergency?: ScoredIntent } {
  const { ranked, coverage } = classifier.rank(toFeatures(tokens));
  const factor = Math.min(1, coverage / FULL_COVERAGE);
  const scaled = factor === 1 ? ranked : ranked.map((entry) => ({ intent: entry.intent, score: entry.score * factor }));
  // Scores are sorted, so the first emergency intent is the best one; stop below the floor.
  let emergency: ScoredIntent | undefined;
  for (const entry of scaled) {
    if (entry.score < EMERGENCY_FLOOR) break;
    if (entry.intent.startsWith('emergency.')) {
      emergency = entry;
      break;
    }
  }
  const top = scaled.slice(0, TOP_N).map((entry) => ({ intent: entry.intent, score: round(entry.score) }));
  return { ranked: top, coverage: round(coverage), ...(emergency ? { emergency } : {}) };
}

/** Each sentence of a long message, classified once for the emergency net and other matters. */
function readSentences(text: string, parts: UnderstandParts): Sentence[] {
  // Sentences first; a run-on sentence (citizens often write one long line) by its commas.
  return text
    .split(/[。！？!?；;\n]+/)
    .flatMap((sentence) => (sentence.length > RUN_ON ? sentence.split(/[，,]+/) : [sentence]))
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length >= 4)
    .slice(0, MAX_SENTENCES)
    .map((sentence) => ({
      hits: parts.rules.match(sentence),
      ...classifyText(parts.segment(sentence), parts.classifier.fast ?? parts.classifier),
    }));
}

/**
 * The emergency net, as a rule hit so `decide` treats it like the keywords: on the whole
 * message, then sentence by sentence (a cry for help inside a long story about wages).
 */
function emergencyNet(sentences: Sentence[], whole?: ScoredIntent): RuleHit | undefined {
  const asHit = (entry: ScoredIntent): RuleHit => ({
    intent: entry.intent, priority: 'override', match: `分类器 ${entry.score}`, byPattern: false,
  });
  if (whole) return asHit(whole);
  for (const sentence of sentences) {
    const hit = sentence.hits.find((h) => h.priority === 'override');
    if (hit) return hit;
    if (sentence.emergency && sentence.emergency.score >= SENTENCE_EMERGENCY_FLOOR) return asHit(sentence.emergency);
  }
  return undefined;
}

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
    intent: NONE_INTENT, confidence: 0, decidedBy, otherIntents: [],
  };
}

function scoreOf(ranked: ScoredIntent[], intent: string): number {
  return ranked.find((entry) => entry.intent === intent)?.score ?? 0;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
