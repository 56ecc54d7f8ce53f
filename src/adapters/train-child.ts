/**
 * Run as a child process by background-training.ts: trains the model for one knowledge base
 * and leaves it in the model cache, then exits. Usage: node --import tsx train-child.ts <kb.json> <cacheDir>
 */
import { readFileSync } from 'node:fs';
import { engineOptions } from '../bootstrap.ts';
import { createEngine } from '../engine.ts';
import type { KnowledgeBase } from '../knowledge/schema.ts';

const [kbFile, cacheDir] = process.argv.slice(2);
if (!kbFile || !cacheDir) {
  process.stderr.write('usage: train-child.ts <kb.json> <cacheDir>\n');
  process.exit(2);
}
const kb = JSON.parse(readFileSync(kbFile, 'utf8')) as KnowledgeBase;
createEngine(kb, engineOptions({ cacheDir }));
