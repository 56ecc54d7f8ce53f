import classifiers from 'natural/lib/natural/classifiers/index.js';
import TfIdf from 'natural/lib/natural/tfidf/tfidf.js';
import type { ScoredIntent } from '../dialogue/types.ts';
import { deserializeLogReg, predictLogReg, serializeLogReg, trainLogReg, type LogRegModel, type SerializedLogReg } from './logreg.ts';

/**
 * Stage 3: intent classification over feature arrays (never strings: natural would stem a
 * Chinese string into nothing). The only file that imports natural — and only the parts we
 * use: `import 'natural'` loads every storage backend, runs dotenv and prints to stdout.
 *
 * Two designs are kept so `npm run eval` can compare them on the same data:
 * - `bayes`: natural's naive Bayes model (its sparse-observation form), scored in log space
 *   because its own `getClassifications` multiplies probabilities and underflows to 0 on a
 *   long message;
 * - `tfidf`: cosine between the message and each intent's examples, weighted by natural's TF-IDF.
 */

export type ClassifierDesign = 'bayes' | 'tfidf' | 'ensemble' | 'logreg';

/**
 * Bumped whenever training changes (hyperparameters, what is trained on), so a cached model
 * from older code is never loaded.
 */
export const MODEL_VERSION = 3;

/** The design the bot runs with; `npm run eval` compares it with the others. */
export const DEFAULT_DESIGN: ClassifierDesign = 'logreg';

export interface TrainingExample {
  features: readonly string[];
  intent: string;
}

export interface Ranking {
  /** All intents, best first; scores are a probability-like distribution summing to 1. */
  ranked: ScoredIntent[];
  /** Share of the message's features the model has seen in any example (0–1). */
  coverage: number;
  /**
   * The same distribution before temperature scaling, when the model has a temperature. The
   * danger detector's thresholds are set on these, so recalibrating the answers' confidence
   * never moves the emergency net.
   */
  raw?: ScoredIntent[];
}

export interface IntentClassifier {
  design: ClassifierDesign;
  rank(features: readonly string[]): Ranking;
  /** A cheaper member for the many short sentences of a long story (the ensemble's Bayes). */
  fast?: IntentClassifier;
  /** The trained weights, for the model cache (logistic regression only). */
  serialize?: () => SerializedLogReg;
}

export interface ClassifierOptions {
  /** Softmax temperature of the logistic regression (> 1 softens over-confidence). */
  temperature?: number;
}

export function trainClassifier(
  examples: readonly TrainingExample[],
  design: ClassifierDesign = 'bayes',
  options: ClassifierOptions = {},
): IntentClassifier {
  if (design === 'logreg') {
    return logRegClassifier(trainLogReg(examples.map((e) => ({ features: e.features, label: e.intent }))), options);
  }
  const vocabulary = new Set<string>();
  for (const example of examples) for (const feature of example.features) vocabulary.add(feature);
  if (design === 'bayes') return trainBayes(examples, vocabulary);
  if (design === 'tfidf') return trainTfidf(examples, vocabulary);
  return ensemble(trainBayes(examples, vocabulary), trainTfidf(examples, vocabulary));
}

/** The mean of the two distributions: Bayes is sharp on words, TF-IDF steadier on long text. */
function ensemble(a: IntentClassifier, b: IntentClassifier): IntentClassifier {
  return {
    design: 'ensemble',
    fast: a,
    rank(features) {
      const first = a.rank(features);
      const second = b.rank(features);
      const secondScore = new Map(second.ranked.map((entry) => [entry.intent, entry.score]));
      const ranked = first.ranked
        .map((entry) => ({ intent: entry.intent, score: (entry.score + (secondScore.get(entry.intent) ?? 0)) / 2 }))
        .sort((x, y) => y.score - x.score);
      return { ranked, coverage: first.coverage };
    },
  };
}

// === logistic regression ===================================================================

/**
 * Words and character bigrams are what tell the model a message is about something it knows;
 * single characters and pinyin exist to catch typos and match almost anything, so they do not
 * count towards coverage ("叽里咕噜巴拉巴拉" shares pinyin pieces with real examples).
 */
export function contentCoverage(features: readonly string[], known: (feature: string) => boolean): number {
  let total = 0;
  let hits = 0;
  for (const feature of features) {
    if (!feature.startsWith('w:') && !feature.startsWith('b:')) continue;
    total += 1;
    if (known(feature)) hits += 1;
  }
  return total === 0 ? 0 : hits / total;
}

export function logRegClassifier(model: LogRegModel, options: ClassifierOptions = {}): IntentClassifier {
  const temperature = options.temperature ?? 1;
  return {
    design: 'logreg',
    rank(features) {
      const { ranked, raw } = predictLogReg(model, features, temperature);
      return { ranked, coverage: contentCoverage(features, (feature) => model.vocabulary.has(feature)), ...(raw ? { raw } : {}) };
    },
    serialize: () => serializeLogReg(model),
  };
}

export function classifierFromCache(data: SerializedLogReg, options: ClassifierOptions = {}): IntentClassifier {
  return logRegClassifier(deserializeLogReg(data), options);
}

// === the danger model ======================================================================

/**
 * Is this message a cry for help? A binary logistic regression over the same features: the
 * emergency intents' examples against every other example, which include ordinary questions
 * that use the same words (如果我死了…遗产, 去年被打了…起诉). A dedicated model separates the two
 * better than the emergency intents' share of the 100-way model, where their mass is spread.
 */
export interface DangerScorer {
  /** Probability (0–1) that the message is about danger now. */
  score(features: readonly string[]): number;
  serialize(): SerializedLogReg;
}

const DANGER = 'danger';

/**
 * Stronger L2 than the intent model: with a weak penalty one frequent piece of a danger example
 * ("天天" of 天天打我) could carry a short ordinary message ("今天天气") over the line on its own.
 * Chosen on the dev emergency and false-alarm sets.
 */
const DANGER_L2 = 6e-4;

/** Below this much data a danger model means nothing; rules and the intents' share decide. */
const DANGER_MIN_POSITIVES = 30;
const DANGER_MIN_NEGATIVES = 300;

export function trainDangerScorer(examples: readonly TrainingExample[]): DangerScorer | undefined {
  const positives = examples.filter((example) => example.intent.startsWith('emergency.')).length;
  if (positives < DANGER_MIN_POSITIVES || examples.length - positives < DANGER_MIN_NEGATIVES) return undefined;
  return dangerScorer(
    trainLogReg(
      examples.map((example) => ({ features: example.features, label: example.intent.startsWith('emergency.') ? DANGER : 'other' })),
      { l2: DANGER_L2 },
    ),
  );
}

export function dangerScorerFromCache(data: SerializedLogReg): DangerScorer {
  return dangerScorer(deserializeLogReg(data));
}

function dangerScorer(model: LogRegModel): DangerScorer {
  return {
    score: (features) => predictLogReg(model, features).ranked.find((entry) => entry.intent === DANGER)?.score ?? 0,
    serialize: () => serializeLogReg(model),
  };
}

// === naive Bayes =============================================================================

interface ApparatusBayes {
  classFeatures: Record<string, Record<string, number>>;
  classTotals: Record<string, number>;
  totalExamples: number;
  smoothing: number;
  addExample(observation: Record<string, string>, label: string): void;
}

/** Log-probabilities are divided by this power of the feature count before the softmax, so a
 * long message is not absurdly over-confident (naive Bayes double-counts correlated features). */
const BAYES_LENGTH_DAMPING = 0.5;

function trainBayes(examples: readonly TrainingExample[], vocabulary: Set<string>): IntentClassifier {
  const wrapper = new classifiers.BayesClassifier(undefined, 0.1) as unknown as { classifier: ApparatusBayes };
  const model = wrapper.classifier;
  for (const example of examples) {
    const observation: Record<string, string> = {};
    example.features.forEach((feature, index) => {
      observation[index] = feature;
    });
    model.addExample(observation, example.intent);
  }
  const labels = Object.keys(model.classFeatures);

  // The model's log-probabilities, precomputed once. A label's score starts from its prior plus
  // "every known feature unseen" (the smoothing term), and each feature the label has seen
  // corrects that by its own log-probability: scoring visits only the (feature, label) pairs
  // that exist, not every label for every feature.
  const unseenLog = labels.map((label) => Math.log(model.smoothing / (model.classTotals[label] ?? 1)));
  const priorLog = labels.map((label) => Math.log((model.classTotals[label] ?? 1) / model.totalExamples));
  const postings = invertedIndex(labels, (label, index) => {
    const total = model.classTotals[label] ?? 1;
    return Object.entries(model.classFeatures[label] ?? {}).map(
      ([feature, count]): [string, number] => [feature, Math.log(count / total) - (unseenLog[index] ?? 0)],
    );
  });

  return {
    design: 'bayes',
    rank(features) {
      const known = features.filter((feature) => vocabulary.has(feature));
      const coverage = features.length === 0 ? 0 : known.length / features.length;
      if (known.length === 0) return { ranked: uniform(labels), coverage: 0 };
      const damping = Math.pow(known.length, BAYES_LENGTH_DAMPING);
      const logits = labels.map((_, i) => (priorLog[i] ?? 0) + known.length * (unseenLog[i] ?? 0));
      for (const feature of known) {
        for (const [index, delta] of postings.get(feature) ?? []) logits[index] = (logits[index] ?? 0) + delta;
      }
      return { ranked: softmax(labels, logits.map((logit) => logit / damping)), coverage };
    },
  };
}

/** Cosines (0–1) times this before the softmax; chosen with `npm run eval` so both designs
 * are compared at their best calibration, not at an arbitrary one. */
const TFIDF_SHARPNESS = 40;

// === TF-IDF cosine ==========================================================================

function trainTfidf(examples: readonly TrainingExample[], vocabulary: Set<string>): IntentClassifier {
  // Inverse document frequency over intents (one natural TfIdf document per intent): a feature
  // spread over many intents says little. natural's idf() scans every document per term, so
  // 88 intent documents train in ~0.1 s where 1,300 example documents took ~2 s.
  const tfidf = new TfIdf();
  const byIntent = new Map<string, string[]>();
  for (const example of examples) byIntent.set(example.intent, [...(byIntent.get(example.intent) ?? []), ...example.features]);
  for (const features of byIntent.values()) tfidf.addDocument(features);
  const idf = new Map<string, number>();
  for (const feature of vocabulary) idf.set(feature, tfidf.idf(feature));

  // One centroid per intent: the sum of its examples' TF-IDF vectors, L2-normalised.
  const centroids = new Map<string, Map<string, number>>();
  for (const example of examples) {
    const centroid = centroids.get(example.intent) ?? new Map<string, number>();
    for (const feature of example.features) {
      centroid.set(feature, (centroid.get(feature) ?? 0) + (idf.get(feature) ?? 0));
    }
    centroids.set(example.intent, centroid);
  }
  for (const centroid of centroids.values()) normalise(centroid);
  const labels = [...centroids.keys()];
  const postings = invertedIndex(labels, (label) => centroids.get(label) ?? []);

  return {
    design: 'tfidf',
    rank(features) {
      const known = features.filter((feature) => vocabulary.has(feature));
      const coverage = features.length === 0 ? 0 : known.length / features.length;
      if (known.length === 0) return { ranked: uniform(labels), coverage: 0 };
      const query = new Map<string, number>();
      for (const feature of known) query.set(feature, idf.get(feature) ?? 0);
      normalise(query);
      const cosines = labels.map(() => 0);
      for (const [feature, weight] of query) {
        for (const [index, centroidWeight] of postings.get(feature) ?? []) cosines[index] = (cosines[index] ?? 0) + weight * centroidWeight;
      }
      return { ranked: softmax(labels, cosines.map((cosine) => cosine * TFIDF_SHARPNESS)), coverage };
    },
  };
}

// === shared =================================================================================

/**
 * feature → (label index, weight) for every pair that exists, so scoring a long message costs
 * its features, not features × labels.
 */
function invertedIndex(
  labels: string[],
  weightsOf: (label: string, index: number) => Iterable<[string, number]>,
): Map<string, Array<[number, number]>> {
  const postings = new Map<string, Array<[number, number]>>();
  labels.forEach((label, index) => {
    for (const [feature, weight] of weightsOf(label, index)) {
      const list = postings.get(feature) ?? [];
      list.push([index, weight]);
      postings.set(feature, list);
    }
  });
  return postings;
}

function normalise(vector: Map<string, number>): void {
  let norm = 0;
  for (const value of vector.values()) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  for (const [key, value] of vector) vector.set(key, value / norm);
}

function softmax(labels: string[], logits: number[]): ScoredIntent[] {
  const max = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - max));
  const sum = exps.reduce((a, b) => a + b, 0) || 1;
  return labels
    .map((intent, index) => ({ intent, score: (exps[index] ?? 0) / sum }))
    .sort((a, b) => b.score - a.score);
}

function uniform(labels: string[]): ScoredIntent[] {
  return labels.map((intent) => ({ intent, score: labels.length ? 1 / labels.length : 0 }));
}
