import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEMP_FILE } from '../../src/adapters/atomic-file.ts';
import { createHistoryFiles } from '../../src/adapters/history-files.ts';
import { loadKnowledgeFromDisk } from '../../src/adapters/knowledge-files.ts';
import { createKnowledgeWriter } from '../../src/adapters/knowledge-writer.ts';
import { publishJournalFile } from '../../src/adapters/publish-journal.ts';
import { createDrafts } from '../../src/admin/drafts.ts';
import { PublishError, ValidationError } from '../../src/admin/errors.ts';
import { createPublisher, type LiveCore } from '../../src/admin/publish.ts';
import type { SwapResult } from '../../src/engine-types.ts';
import { lintKnowledge } from '../../src/knowledge/lint.ts';
import type { KnowledgeBase } from '../../src/knowledge/schema.ts';
import { createKeyedQueue } from '../../src/lib/keyed-queue.ts';
import { createLogger } from '../../src/lib/logger.ts';

let root: string;
let paths: { intentsDir: string; dataDir: string; historyDir: string };
let live: KnowledgeBase;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'publish-'));
  await cp('test/fixtures/kb', root, { recursive: true });
  paths = { intentsDir: join(root, 'intents'), dataDir: join(root, 'data'), historyDir: join(root, 'runtime', 'history') };
  live = (await loadKnowledgeFromDisk(paths)).kb!;
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** A publisher over the temp copy; `reloads` answers each reload in turn (default: accepted). */
async function setup(options: { failOnTemp?: number; reloads?: SwapResult[] } = {}) {
  let temps = 0;
  const writer = createKnowledgeWriter(paths, {
    onStep(step) {
      if (step.startsWith('temp written') && (temps += 1) === options.failOnTemp) throw new Error('ENOSPC: no space left on device');
    },
  });
  const reloads: SwapResult[] = [...(options.reloads ?? [])];
  let reloadCount = 0;
  const core: LiveCore = {
    engine: {} as LiveCore['engine'],
    async reload() {
      reloadCount += 1;
      return reloads.shift() ?? { ok: true, version: reloadCount + 1, warnings: [] };
    },
  };
  const drafts = await createDrafts({ live: () => live });
  const history = createHistoryFiles(paths.historyDir);
  const publisher = createPublisher({
    core,
    drafts,
    writer,
    history,
    queue: createKeyedQueue(),
    heldout: async () => [],
    buildEngine: async () => {
      throw new Error('not needed without held-out questions');
    },
    lint: (kb) => lintKnowledge(kb),
    logger: createLogger('silent'),
  });
  // Two files change (an intent file and a fact file), plus the history record.
  const fact = drafts.view().facts.find((item) => item.item.id === 'legal_aid.apply_where')!;
  await drafts.saveFact(fact.item.id, { ...fact.item, text: `${fact.item.text}（已修改）` }, fact.revision, 'alice');
  const intent = drafts.view().intents.find((item) => item.item.name === 'mediation.what_is')!;
  await drafts.saveIntent(intent.item.name, { ...intent.item, description: '人民调解（已修改）' }, intent.revision, 'alice');
  return { writer, drafts, history, publisher, reloads: () => reloadCount };
}

async function tempFiles(): Promise<string[]> {
  const dirs = [paths.intentsDir, join(paths.dataDir, 'facts'), paths.dataDir, paths.historyDir];
  const names = await Promise.all(dirs.map(async (dir) => (existsSync(dir) ? await readdir(dir) : [])));
  return names.flat().filter((name) => TEMP_FILE.test(name));
}

describe('publish', () => {
  it('writes the files and one history entry holding the files as they were', async () => {
    const { writer, history, publisher, drafts } = await setup();
    const before = await writer.snapshot();
    const entry = await publisher.publish('alice');
    const after = await writer.snapshot();
    expect(after['data/facts/legal_aid.json']).toContain('（已修改）');
    expect(after['intents/mediation.yaml']).toContain('人民调解（已修改）');
    const listing = await history.list();
    expect(listing.entries).toEqual([{ ...entry, version: 2 }]);
    expect(await history.filesBefore(entry.id)).toEqual(before);
    expect(drafts.view().dirty).toBe(false);
  });

  it('that fails on the second file leaves no history entry, the old files, no temp files, and says why', async () => {
    const { writer, history, publisher, drafts, reloads } = await setup({ failOnTemp: 2 });
    const before = await writer.snapshot();
    const failure = await publisher.publish('alice').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PublishError);
    expect((failure as Error).message).toContain('发布失败');
    expect((failure as Error).message).toContain('ENOSPC');
    expect(await history.list()).toEqual({ entries: [], unreadable: [] });
    expect(await writer.snapshot()).toEqual(before);
    expect(await tempFiles()).toEqual([]);
    expect(existsSync(publishJournalFile(paths.dataDir))).toBe(false);
    expect(reloads()).toBe(0); // the running engine was not touched
    expect(drafts.view().dirty).toBe(true); // the admin's work is still there to retry
  });

  it('whose files the engine refuses puts the old files back and leaves no history entry', async () => {
    const refused: SwapResult = { ok: false, issues: [{ file: 'intents/x.yaml', path: '', code: 'E_TEST', severity: 'error', message: '坏了' }] };
    const { writer, history, publisher } = await setup({ reloads: [refused] });
    const before = await writer.snapshot();
    await expect(publisher.publish('alice')).rejects.toBeInstanceOf(ValidationError);
    expect(await writer.snapshot()).toEqual(before);
    expect((await history.list()).entries).toEqual([]);
    expect(await tempFiles()).toEqual([]);
  });

  it('rolls back to the files before an entry, and records the rollback', async () => {
    const { writer, history, publisher } = await setup();
    const before = await writer.snapshot();
    const published = await publisher.publish('alice');
    const rollback = await publisher.rollback(published.id, 'bob');
    expect(await writer.snapshot()).toEqual(before);
    const entries = (await history.list()).entries;
    expect(entries.map((entry) => `${entry.action} ${entry.id}`).sort()).toEqual([`publish ${published.id}`, `rollback ${rollback.id}`]);
    expect(entries.find((entry) => entry.id === rollback.id)?.rollbackOf).toBe(published.id);
  });
});
