import type { ScoredIntent } from './scored-intent.ts';
import {
  buildSpace,
  deserializeModel,
  probabilities,
  serializeModel,
  topLabels,
  trainHead,
  vectorize,
  type FeatureSpace,
  type LinearHead,
  type SerializedModel,
} from './logreg.ts';

/**
 * Stage 3: intent classification over feature arrays. The bot runs `logreg` (logistic
 * regression, logreg.ts), which measured best on cross-validation, dev and real citizens'
 * questions (`npm run eval` prints the comparison). The designs built on `natural` (naive Bayes,
 * TF-IDF and their ensemble) live in classify-natural.ts and are loaded only by the composition
 * roots that compare them: natural's classifier index takes ~120 ms to load, a cost every start
 * of the bot would otherwise pay for models it does not use.
 */

export type ClassifierDesign = 'bayes' | 'tfidf' | 'ensemble' | 'logreg';

/**
 * Bumped whenever training changes (hyperparameters, what is trained on), so a cached model
 * from older code is never loaded.
 */
export const MODEL_VERSION = 12;

/** The design the bot runs with; `npm run eval` compares it with the others. */
export const DEFAULT_DESIGN: ClassifierDesign = 'logreg';

export interface TrainingExample {
  features: readonly string[];
  intent: string;
}

export interface Ranking {
  /** Intents best first (all of them, or the leading ones); scores are probabilities. */
  ranked: ScoredIntent[];
  /** Share of the message's features the model has seen in any example (0–1). */
  coverage: number;
  /**
   * Probability (0–1) that the message is about danger now, from the danger model (absent when
   * there was too little data to train one). Untouched by the intents' temperature, so
   * recalibrating the answers' confidence never moves the emergency net.
   */
  danger?: number;
}

export interface IntentClassifier {
  design: ClassifierDesign;
  rank(features: readonly string[]): Ranking;
  /** A cheaper member for the many short sentences of a long story (the ensemble's Bayes). */
  fast?: IntentClassifier;
  /** The trained weights, for the model cache (logistic regression only). */
  serialize?: () => SerializedModel;
}

export interface ClassifierOptions {
  /** Softmax temperature of the logistic regression (> 1 softens over-confidence). */
  temperature?: number;
}

/** Trains a classifier of some design; the composition root picks which trainers exist. */
export type Trainer = (examples: readonly TrainingExample[], design: ClassifierDesign, options: ClassifierOptions) => IntentClassifier;

/** The bot's own trainer: logistic regression with its danger head. */
export const trainLogRegOnly: Trainer = (examples, design, options) => {
  if (design !== 'logreg') throw new Error(`分类器设计 ${design} 需要 natural（只有评测脚本加载它）`);
  return trainClassifier(examples, options);
};

export function trainClassifier(examples: readonly TrainingExample[], options: ClassifierOptions = {}): IntentClassifier {
  const { space, rows } = vectorized(examples);
  const heads: Record<string, LinearHead> = { intents: trainHead(rows.map((row) => ({ x: row.x, label: row.intent })), space.idf.length) };
  const danger = trainDangerHead(rows, space);
  if (danger) heads.danger = danger;
  return logRegClassifier(space, heads, options);
}

/** Another design gets the same danger model, so `npm run eval` compares only the intents. */
export function withDangerModel(base: IntentClassifier, examples: readonly TrainingExample[]): IntentClassifier {
  const { space, rows } = vectorized(examples);
  const danger = trainDangerHead(rows, space);
  return danger ? withDanger(base, space, danger) : base;
}

function vectorized(examples: readonly TrainingExample[]) {
  const space = buildSpace(examples.map((example) => example.features));
  return { space, rows: examples.map((example) => ({ x: vectorize(space, example.features), intent: example.intent })) };
}

function withDanger(base: IntentClassifier, space: FeatureSpace, danger: LinearHead): IntentClassifier {
  const dangerIndex = danger.labels.indexOf(DANGER);
  const wrapped: IntentClassifier = {
    ...base,
    rank: (features) => ({ ...base.rank(features), danger: probabilities(danger, vectorize(space, features))[dangerIndex] ?? 0 }),
  };
  return wrapped;
}

// === logistic regression ===================================================================

/**
 * Words and character bigrams are what tell the model a message is about something it knows;
 * single characters and pinyin exist to catch typos and match almost anything, so they do not
 * count towards coverage ("叽里咕噜巴拉巴拉" shares pinyin pieces with real examples).
 */
export function contentCoverage(features: readonly string[], known: (feature: string) => boolean): number {
  // A message typed in pinyin has no Chinese words or bigrams: its syllable pairs stand in.
  const pinyinOnly = !features.some((feature) => feature.startsWith('b:'));
  let total = 0;
  let hits = 0;
  for (const feature of features) {
    const content = feature.startsWith('w:') || feature.startsWith('b:') || (pinyinOnly && feature.startsWith('yb:'));
    if (!content || (pinyinOnly && feature.startsWith('w:') && !known(feature))) continue;
    total += 1;
    if (known(feature)) hits += 1;
  }
  return total === 0 ? 0 : hits / total;
}

/** How many intents a logistic-regression ranking lists. */
const RANKED = 12;

function logRegClassifier(space: FeatureSpace, heads: Record<string, LinearHead>, options: ClassifierOptions = {}): IntentClassifier {
  const temperature = options.temperature ?? 1;
  const intents = heads.intents;
  if (!intents) throw new Error('model without an intents head');
  const danger = heads.danger;
  const dangerIndex = danger?.labels.indexOf(DANGER) ?? -1;
  return {
    design: 'logreg',
    rank(features) {
      // One vector for both heads; only the leading intents are ranked (the rest share what
      // is left of a probability that sums to 1, too little to matter to any decision).
      const x = vectorize(space, features);
      const p = probabilities(intents, x, temperature);
      const ranked = topLabels(intents.labels, p, RANKED);
      return {
        ranked,
        coverage: contentCoverage(features, (feature) => space.vocabulary.has(feature)),
        ...(danger ? { danger: probabilities(danger, x)[dangerIndex] ?? 0 } : {}),
      };
    },
    serialize: () => serializeModel(space, heads),
  };
}

export function classifierFromCache(data: SerializedModel, options: ClassifierOptions = {}): IntentClassifier {
  const { space, heads } = deserializeModel(data);
  return logRegClassifier(space, heads, options);
}

// === the danger model ======================================================================

/**
 * Is this message a cry for help? A yes/no logistic regression over the same features: the
 * emergency intents' examples against every other example, which include ordinary questions
 * that use the same words (如果我死了…遗产, 去年被打了…起诉). A dedicated head separates the two
 * better than the emergency intents' share of the 100-way model, where their mass is spread.
 *
 * Stronger L2 than the intents: with a weak penalty one frequent piece of a danger example
 * ("天天" of 天天打我) could carry a short ordinary message ("今天天气") over the line on its own.
 * Chosen on the dev emergency and false-alarm sets.
 */
const DANGER = 'danger';
const DANGER_L2 = 6e-4;
/** Below this much data a danger model means nothing; rules and the intents' share decide. */
const DANGER_MIN_POSITIVES = 30;
const DANGER_MIN_NEGATIVES = 300;

function trainDangerHead(rows: ReadonlyArray<{ x: ReturnType<typeof vectorize>; intent: string }>, space: FeatureSpace): LinearHead | undefined {
  const positives = rows.filter((row) => row.intent.startsWith('emergency.')).length;
  if (positives < DANGER_MIN_POSITIVES || rows.length - positives < DANGER_MIN_NEGATIVES) return undefined;
  return trainHead(
    rows.map((row) => ({ x: row.x, label: row.intent.startsWith('emergency.') ? DANGER : 'other' })),
    space.idf.length,
    // Its own settings (chosen on the dev safety sets), independent of the intents' defaults.
    { epochs: 12, learningRate: 0.5, l2: DANGER_L2 },
  );
}

