import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evalTexts } from '../evaluation/sets.ts';
import type { EvalText } from '../knowledge/leaks.ts';

/** Every question and dialogue turn in the evaluation folder (none when it does not exist). */
export function readEvalTexts(dir = 'eval'): EvalText[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) => evalTexts(readFileSync(join(dir, name), 'utf8'), join(dir, name)));
}
