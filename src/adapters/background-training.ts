import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelKey } from '../engine.ts';
import type { KnowledgeBase } from '../knowledge/schema.ts';
import { DEFAULT_DESIGN } from '../nlp/classify.ts';
import { modelFile } from './model-cache.ts';

/**
 * Training the classifier on ~9,000 examples takes several seconds of CPU. In the server that
 * would stop every chat while an admin publishes or previews a draft, so new knowledge is
 * trained in a child process into the model cache; the engine then loads the cached model
 * (fast) when it swaps. If the child fails, nothing is lost: the swap trains in process.
 */
const CHILD = fileURLToPath(new URL('./train-child.ts', import.meta.url));
let sequence = 0;

export async function trainInBackground(kb: KnowledgeBase, cacheDir: string): Promise<boolean> {
  if (existsSync(modelFile(join(cacheDir, 'models'), modelKey(kb, DEFAULT_DESIGN)))) return true;
  await mkdir(cacheDir, { recursive: true });
  const kbFile = join(cacheDir, `train-${process.pid}-${(sequence += 1)}.json`);
  await writeFile(kbFile, JSON.stringify(kb));
  try {
    return await new Promise<boolean>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, kbFile, cacheDir], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.on('error', () => resolve(false));
      child.on('exit', (code) => resolve(code === 0));
    });
  } finally {
    await rm(kbFile, { force: true });
  }
}
