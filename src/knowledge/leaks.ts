import type { Issue } from '../lib/issues.ts';
import type { KnowledgeBase } from './schema.ts';

/**
 * Evaluation lines that are also training examples make a figure measure memory, not
 * understanding. Two checks, both on the engine's normalised text with spaces and punctuation
 * removed:
 *
 * - exact: the same text (6 characters or more; "离婚" may be both a fair question and a fair
 *   example);
 * - near-duplicate: character-bigram Dice similarity of at least NEAR_DUPLICATE. Measured on the
 *   data (npm run eval -- --leaks prints the distribution): pairs at 0.8 and above are the same
 *   sentence with a word or two changed ("老板欠我三个月工资不给" / "老板欠我两个月工资不给");
 *   below 0.7 they are different sentences about the same matter, which is what an evaluation
 *   set must contain.
 */

export const NEAR_DUPLICATE = 0.8;
const MIN_CHARS = 6;

export interface EvalText {
  text: string;
  /** file:line of the evaluation line. */
  where: string;
}

export interface Leak {
  kind: 'exact' | 'near';
  similarity: number;
  example: string;
  intent: string;
  exampleIndex: number;
  evalText: string;
  where: string;
}

const STRIP = /[\s\p{P}\p{S}]/gu;

export function findLeaks(kb: KnowledgeBase, evalTexts: readonly EvalText[], normalize: (text: string) => string): Leak[] {
  const key = (text: string) => normalize(text).replace(STRIP, '');
  const examples = kb.intents.flatMap((intent) =>
    intent.examples.map((example, exampleIndex) => ({ example, intent: intent.name, exampleIndex, key: key(example) })),
  ).filter((entry) => entry.key.length >= MIN_CHARS);
  const byKey = new Map(examples.map((entry) => [entry.key, entry]));
  const grams = examples.map((entry) => bigrams(entry.key));
  const postings = new Map<string, number[]>();
  grams.forEach((set, index) => {
    for (const gram of set.keys()) {
      const list = postings.get(gram);
      if (list) list.push(index);
      else postings.set(gram, [index]);
    }
  });

  const leaks: Leak[] = [];
  for (const item of evalTexts) {
    const k = key(item.text);
    if (k.length < MIN_CHARS) continue;
    const exact = byKey.get(k);
    if (exact) {
      leaks.push({ kind: 'exact', similarity: 1, example: exact.example, intent: exact.intent, exampleIndex: exact.exampleIndex, evalText: item.text, where: item.where });
      continue;
    }
    const best = nearest(bigrams(k), grams, postings);
    if (best && best.similarity >= NEAR_DUPLICATE) {
      const entry = examples[best.index]!;
      leaks.push({ kind: 'near', similarity: best.similarity, example: entry.example, intent: entry.intent, exampleIndex: entry.exampleIndex, evalText: item.text, where: item.where });
    }
  }
  return leaks;
}

/** The most similar example to `query`, by bigram Dice; only examples sharing a bigram are scored. */
export function nearest(query: Map<string, number>, grams: ReadonlyArray<Map<string, number>>, postings: Map<string, number[]>): { index: number; similarity: number } | undefined {
  const shared = new Map<number, number>();
  for (const [gram, count] of query) {
    for (const index of postings.get(gram) ?? []) shared.set(index, (shared.get(index) ?? 0) + Math.min(count, grams[index]?.get(gram) ?? 0));
  }
  const queryTotal = total(query);
  let best: { index: number; similarity: number } | undefined;
  for (const [index, overlap] of shared) {
    const similarity = (2 * overlap) / (queryTotal + total(grams[index]!));
    if (!best || similarity > best.similarity) best = { index, similarity };
  }
  return best;
}

export function bigrams(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const chars = [...text];
  for (let i = 0; i + 1 < chars.length; i += 1) {
    const gram = chars[i]! + chars[i + 1]!;
    out.set(gram, (out.get(gram) ?? 0) + 1);
  }
  return out;
}

function total(grams: Map<string, number>): number {
  let sum = 0;
  for (const count of grams.values()) sum += count;
  return sum;
}

/** Leaks as lint issues on the example's file and path, naming the evaluation line. */
export function leakIssues(kb: KnowledgeBase, leaks: readonly Leak[], severity: Issue['severity']): Issue[] {
  const positions = new Map<string, { file: string; index: number }>();
  const perFile = new Map<string, number>();
  for (const intent of kb.intents) {
    const file = `intents/${intent.name.split('.')[0]}.yaml`;
    const index = perFile.get(file) ?? 0;
    perFile.set(file, index + 1);
    positions.set(intent.name, { file, index });
  }
  return leaks.map((leak) => {
    const at = positions.get(leak.intent);
    return {
      file: at?.file ?? 'intents',
      path: `intents[${at?.index ?? 0}].examples[${leak.exampleIndex}]`,
      code: leak.kind === 'exact' ? 'E_EVAL_LEAK' : 'E_EVAL_NEAR_DUPLICATE',
      severity,
      message:
        leak.kind === 'exact'
          ? `例句「${leak.example}」与评测集 ${leak.where} 的问题相同：评测会变成背答案，请改写或删除这条例句`
          : `例句「${leak.example}」与评测集 ${leak.where}「${leak.evalText}」几乎相同（相似度 ${leak.similarity.toFixed(2)}）：请改写或删除这条例句`,
    };
  });
}
