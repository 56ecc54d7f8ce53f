import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './server.ts';

/** Small helpers shared by the sections: seeded randomness, percentiles, questions. */

/** mulberry32: a tiny seeded generator, so a run's kill moments and user scripts can be replayed. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (low: number, high: number) => low + (high - low) * next(),
    int: (below: number) => Math.floor(next() * below),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof createRandom>;

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Completions per second in each quarter of [start, end]: flat or falling tells whether the
 * server keeps up as its state grows.
 */
export function throughputByQuarter(doneAt: readonly number[], start: number, end: number): number[] {
  const span = Math.max(1, end - start);
  const counts = [0, 0, 0, 0];
  for (const at of doneAt) counts[Math.min(3, Math.max(0, Math.floor(((at - start) / span) * 4)))]! += 1;
  return counts.map((count) => round(count / (span / 4 / 1000)));
}

let cached: string[] | undefined;
/** Real citizens' phrasing: the held-out evaluation questions (never training examples). */
export function questions(): string[] {
  cached ??= readFileSync(join(REPO, 'eval/heldout.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { text: string }).text);
  return cached;
}
