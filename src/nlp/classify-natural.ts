import classifiers from 'natural/lib/natural/classifiers/index.js';
import TfIdf from 'natural/lib/natural/tfidf/tfidf.js';
import type { ScoredIntent } from './scored-intent.ts';
import { trainClassifier, withDangerModel, type IntentClassifier, type Trainer, type TrainingExample } from './classify.ts';

/**
 * The designs built on `natural`, kept so `npm run eval` can compare them with the logistic
 * regression on the same data. Fed feature arrays, never strings: natural would stem a Chinese
 * string into nothing. Only the parts we use are imported: `import 'natural'` loads every
 * storage backend, runs dotenv and prints to stdout.
 * - `bayes`: natural's naive Bayes model (its sparse-observation form), scored in log space
 *   because its own `getClassifications` multiplies probabilities and underflows to 0 on a
 *   long message;
 * - `tfidf`: cosine between the message and each intent's examples, weighted by natural's TF-IDF;
 * - `ensemble`: the mean of the two.
 */

/** Every design, for the composition roots that compare them (eval, tests). */
export const trainAnyDesign: Trainer = (examples, design, options) => {
  if (design === 'logreg') return trainClassifier(examples, options);
  const vocabulary = new Set<string>();
  for (const example of examples) for (const feature of example.features) vocabulary.add(feature);
  const base =
    design === 'bayes'
      ? trainBayes(examples, vocabulary)
      : design === 'tfidf'
        ? trainTfidf(examples, vocabulary)
        : ensemble(trainBayes(examples, vocabulary), trainTfidf(examples, vocabulary));
  return withDangerModel(base, examples);
};

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
