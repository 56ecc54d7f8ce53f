import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainInBackground } from '../../src/adapters/background-training.ts';
import { loadKnowledgeFromDisk } from '../../src/adapters/knowledge-files.ts';
import { modelFile } from '../../src/adapters/model-cache.ts';
import { engineOptions } from '../../src/bootstrap.ts';
import { createEngine, modelKey } from '../../src/engine.ts';
import type { KnowledgeBase } from '../../src/knowledge/schema.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('training off the main thread', () => {
  it('leaves the model in the cache, where the engine then finds it instead of training', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'bg-train-'));
    dirs.push(cacheDir);
    const kb = (await loadKnowledgeFromDisk({ intentsDir: 'test/fixtures/kb/intents', dataDir: 'test/fixtures/kb/data' })).kb as KnowledgeBase;
    const file = modelFile(join(cacheDir, 'models'), modelKey(kb, 'logreg'));
    expect(existsSync(file)).toBe(false);

    expect(await trainInBackground(kb, cacheDir)).toBe(true);
    expect(existsSync(file)).toBe(true);

    let trainedHere = false;
    const options = engineOptions({ cacheDir });
    const engine = createEngine(kb, {
      ...options,
      trainer: () => {
        trainedHere = true;
        throw new Error('should have come from the cache');
      },
    });
    expect(trainedHere).toBe(false);
    expect(engine.respond({ kind: 'text', text: '法律援助怎么申请' }, undefined).reply.intent).toBe('legal_aid.how_to_apply');
  });
});
