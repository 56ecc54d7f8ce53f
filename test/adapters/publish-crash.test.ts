import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMP_FILE } from '../../src/adapters/atomic-file.ts';
import { createHistoryFiles } from '../../src/adapters/history-files.ts';
import { loadKnowledgeCached, loadKnowledgeFromDisk } from '../../src/adapters/knowledge-files.ts';
import { renderKnowledge } from '../../src/adapters/knowledge-render.ts';
import { createKnowledgeWriter } from '../../src/adapters/knowledge-writer.ts';
import { publishJournalFile, recoverKnowledgeFiles } from '../../src/adapters/publish-journal.ts';
import type { FileChanges, HistoryRecord, KnowledgeFiles } from '../../src/admin/publish-ports.ts';
import { lintKnowledge } from '../../src/knowledge/lint.ts';
import type { KnowledgeBase } from '../../src/knowledge/schema.ts';
import { hasErrors } from '../../src/lib/issues.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createNormalizer } from '../../src/nlp/normalize.ts';

/**
 * The kill -9 harness: a publish runs in a child process that SIGKILLs itself after step k of
 * the write (each temp file, the journal, each rename or delete, the journal's removal), for
 * every k. After each kill, the recovery the server runs at start-up must leave knowledge that
 * loads and lints clean, exactly the old files or exactly the new ones (with the history entry
 * exactly when the new ones are live), and no temp file or journal.
 *
 * The plan is chosen to be hostile: the intents are renamed before the facts they newly refer
 * to, two files are deleted, and the history record rides in the same commit.
 */

const CHILD = fileURLToPath(new URL('./publish-crash-child.ts', import.meta.url));
const FIXTURE = 'test/fixtures/kb';

let work: string;
let planFile: string;
let oldFiles: KnowledgeFiles;
let newFiles: KnowledgeFiles;
let record: HistoryRecord;

const pathsOf = (root: string) => ({
  intentsDir: join(root, 'intents'),
  dataDir: join(root, 'data'),
  historyDir: join(root, 'runtime', 'history'),
});

function lintErrors(kb: KnowledgeBase) {
  const normalize = createNormalizer(kb.homophones, kb.bilingual);
  return lintKnowledge(kb, { normalize: (text) => normalize(text).text }).filter((issue) => issue.severity === 'error');
}

/** The draft an admin might publish: a new fact the intents point to, an edit, a topic removed. */
function editedKnowledge(kb: KnowledgeBase): KnowledgeBase {
  const where = kb.facts.find((fact) => fact.id === 'legal_aid.apply_where')!;
  return {
    ...kb,
    intents: kb.intents
      .filter((intent) => !intent.name.startsWith('chitchat.'))
      .map((intent) => {
        if (intent.name === 'legal_aid.how_to_apply') return { ...intent, answer: { ...intent.answer, facts: [...intent.answer.facts, 'legal_aid.crash_test'] } };
        if (intent.name === 'mediation.what_is') return { ...intent, description: '人民调解是什么（已修改）' };
        return intent;
      }),
    facts: [
      ...kb.facts.filter((fact) => fact.topic !== 'chitchat'),
      { ...where, id: 'legal_aid.crash_test', text: '申请法律援助可以先拨打12348咨询。', figures: ['12348'] },
    ],
  };
}

function applied(files: KnowledgeFiles, changes: FileChanges): KnowledgeFiles {
  const next = { ...files };
  for (const [key, content] of Object.entries(changes)) {
    if (content === null) delete next[key];
    else next[key] = content;
  }
  return next;
}

async function freshCopy(name: string): Promise<string> {
  const root = join(work, name);
  await cp(FIXTURE, root, { recursive: true });
  return root;
}

function runChild(root: string, killAt: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, planFile, String(killAt)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function leftovers(root: string): Promise<string[]> {
  const paths = pathsOf(root);
  const found: string[] = [];
  for (const dir of [paths.intentsDir, join(paths.dataDir, 'facts'), paths.dataDir, paths.historyDir]) {
    const names = existsSync(dir) ? await readdir(dir) : [];
    found.push(...names.filter((name) => TEMP_FILE.test(name)).map((name) => join(dir, name)));
  }
  if (existsSync(publishJournalFile(paths.dataDir))) found.push(publishJournalFile(paths.dataDir));
  return found;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'publish-crash-'));
  const writer = createKnowledgeWriter(pathsOf(FIXTURE));
  oldFiles = await writer.snapshot();
  const loaded = await loadKnowledgeFromDisk(pathsOf(FIXTURE));
  const changes = renderKnowledge(editedKnowledge(loaded.kb!), oldFiles);
  newFiles = applied(oldFiles, changes);
  record = {
    entry: { id: '20250101T000000Z-c0ffee', at: '2025-01-01T00:00:00.000Z', by: 'crash-test', action: 'publish', changes: [] },
    filesBefore: oldFiles,
  };
  planFile = join(work, 'plan.json');
  await writeFile(planFile, JSON.stringify({ changes, record }));
  // The plan must be worth testing: it writes, deletes, and its halves do not fit together.
  expect(Object.values(changes).filter((content) => content === null).length).toBe(2);
  expect(Object.keys(changes)[0]).toMatch(/^intents\//);
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('a publish killed with SIGKILL at any step', () => {
  let steps: string[] = [];

  it('counts the steps of an uninterrupted publish, which leaves the new files', async () => {
    const root = await freshCopy('count');
    const run = await runChild(root, 0);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    steps = run.stdout.split('\n').filter((line) => line.startsWith('step ')).map((line) => line.replace(/^step \d+ /, ''));
    expect(run.stdout).toContain(`done ${steps.length}`);
    // 4 temp files (3 knowledge files and the history record), the journal, 6 renames or deletes, the journal's removal.
    expect(steps.filter((step) => step.startsWith('temp written'))).toHaveLength(4);
    expect(steps.filter((step) => step.startsWith('renamed') || step.startsWith('deleted'))).toHaveLength(6);
    expect(steps).toContain('journal written');
    expect(steps.at(-1)).toBe('journal removed');
    expect(await createKnowledgeWriter(pathsOf(root)).snapshot()).toEqual(newFiles);
    expect(await leftovers(root)).toEqual([]);
  });

  it('recovers to exactly the old or exactly the new files after a kill at every step', async () => {
    expect(steps.length).toBeGreaterThan(0);
    const outcomes: string[] = [];
    let brokenBeforeRecovery = 0;
    for (let k = 1; k <= steps.length; k += 1) {
      const root = await freshCopy(`kill-${k}`);
      const paths = pathsOf(root);
      const run = await runChild(root, k);
      expect(run.signal, `step ${k} (${steps[k - 1]})`).toBe('SIGKILL');

      const raw = await loadKnowledgeFromDisk(paths);
      if (!raw.kb || hasErrors(lintErrors(raw.kb))) brokenBeforeRecovery += 1;

      // What start-up runs: the loader of bootCore (recovers first), then the console's sweep.
      const logLines: string[] = [];
      const logger = createLogger('info', (line) => logLines.push(line));
      const loaded = await loadKnowledgeCached(paths, join(root, 'cache'), logger);
      await recoverKnowledgeFiles(paths, logger, [paths.historyDir]);

      const where = `kill after step ${k} (${steps[k - 1]})`;
      expect(loaded.kb, where).toBeDefined();
      expect(lintErrors(loaded.kb!), where).toEqual([]);
      const files = await createKnowledgeWriter(paths).snapshot();
      const outcome = JSON.stringify(files) === JSON.stringify(oldFiles) ? 'old' : JSON.stringify(files) === JSON.stringify(newFiles) ? 'new' : 'mixed';
      expect(outcome, where).not.toBe('mixed');
      const history = await createHistoryFiles(paths.historyDir).list();
      expect(history.entries.map((entry) => entry.id), where).toEqual(outcome === 'new' ? [record.entry.id] : []);
      expect(history.unreadable, where).toEqual([]);
      expect(await leftovers(root), where).toEqual([]);
      // A kill after the journal's removal leaves nothing to do, and so nothing to say.
      if (k < steps.length) expect(logLines.length, `${where}: recovery says what it did`).toBeGreaterThan(0);
      outcomes.push(outcome);
    }
    // Before the journal is on disk a kill leaves the old files; from then on, the new ones.
    const committedAt = steps.indexOf('journal written') + 1;
    expect(outcomes).toEqual(steps.map((_, index) => (index + 1 < committedAt ? 'old' : 'new')));
    // And without recovery some of these states were broken, so the harness has teeth.
    expect(brokenBeforeRecovery).toBeGreaterThan(0);
  }, 180_000);
});
