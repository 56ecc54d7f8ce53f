import { NONE_INTENT } from '../knowledge/topics.ts';

/** Classification metrics over (expected, predicted) pairs, pure so they are unit-tested. */

export interface Prediction {
  expectedTopic: string;
  predictedTopic: string;
  expectedIntent?: string;
  predictedIntent: string;
}

export interface Metrics {
  total: number;
  topicAccuracy: number;
  /** Over the rows that name an expected intent. */
  intentAccuracy: number;
  intentRows: number;
  /** Macro-averaged F1 over expected topics (out_of_scope counts `none` as a hit). */
  macroF1: number;
  outOfScope: { precision: number; recall: number };
  confusions: Array<{ expected: string; predicted: string; count: number }>;
}

const OUT = 'out_of_scope';

/** `none` means "not ours", the right answer for out-of-scope. */
function effectiveTopic(topic: string): string {
  return topic === NONE_INTENT ? OUT : topic;
}

export function computeMetrics(predictions: readonly Prediction[]): Metrics {
  const total = predictions.length;
  const pairs = predictions.map((p) => ({ ...p, got: effectiveTopic(p.predictedTopic) }));
  const topicHits = pairs.filter((p) => p.got === p.expectedTopic).length;
  const intentRows = pairs.filter((p) => p.expectedIntent);
  const intentHits = intentRows.filter((p) =>
    p.expectedTopic === OUT ? p.got === OUT : sameOrFiner(p.predictedIntent, p.expectedIntent ?? ''),
  ).length;

  const topics = [...new Set(pairs.map((p) => p.expectedTopic))];
  const f1s = topics.map((topic) => {
    const tp = pairs.filter((p) => p.expectedTopic === topic && p.got === topic).length;
    const fp = pairs.filter((p) => p.expectedTopic !== topic && p.got === topic).length;
    const fn = pairs.filter((p) => p.expectedTopic === topic && p.got !== topic).length;
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    return precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  });

  const oosTp = pairs.filter((p) => p.expectedTopic === OUT && p.got === OUT).length;
  const oosFp = pairs.filter((p) => p.expectedTopic !== OUT && p.got === OUT).length;
  const oosFn = pairs.filter((p) => p.expectedTopic === OUT && p.got !== OUT).length;

  const confusionCounts = new Map<string, number>();
  for (const p of pairs) {
    if (p.got === p.expectedTopic) continue;
    const key = `${p.expectedTopic}→${p.got}`;
    confusionCounts.set(key, (confusionCounts.get(key) ?? 0) + 1);
  }
  return {
    total,
    topicAccuracy: total ? topicHits / total : 0,
    intentAccuracy: intentRows.length ? intentHits / intentRows.length : 0,
    intentRows: intentRows.length,
    macroF1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0,
    outOfScope: {
      precision: oosTp + oosFp ? oosTp / (oosTp + oosFp) : 0,
      recall: oosTp + oosFn ? oosTp / (oosTp + oosFn) : 0,
    },
    confusions: [...confusionCounts.entries()]
      .map(([key, count]) => {
        const [expected = '', predicted = ''] = key.split('→');
        return { expected, predicted, count };
      })
      .sort((a, b) => b.count - a.count)
      .slice(0, 10),
  };
}

/**
 * An answer from a finer route of the expected intent is right: `triage.labor_injury` answers a
 * question labelled `triage.labor` (the sub-intent's name starts with its kind's).
 */
export function sameOrFiner(predicted: string, expected: string): boolean {
  return predicted === expected || predicted.startsWith(`${expected}_`);
}

/** Deterministic k folds (round-robin per intent, so every intent is in every fold). */
export function foldOf(indexWithinIntent: number, k: number): number {
  return indexWithinIntent % k;
}
