import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKnowledgeCached } from '../../src/adapters/knowledge-files.ts';
import { publishJournalFile, recoverKnowledgeFiles } from '../../src/adapters/publish-journal.ts';

let root: string;
let paths: { intentsDir: string; dataDir: string };
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'journal-'));
  await cp('test/fixtures/kb', root, { recursive: true });
  paths = { intentsDir: join(root, 'intents'), dataDir: join(root, 'data') };
});
afterEach(() => rm(root, { recursive: true, force: true }));

const journal = (pid: number, ops: unknown[]) => JSON.stringify({ version: 1, pid, createdAt: '2025-01-01T00:00:00.000Z', ops });

describe('recovering an interrupted publish', () => {
  it('leaves alone the journal and temp files of another process that is still running', async () => {
    const other = process.ppid; // the test runner: alive, and not us
    const temp = join(paths.intentsDir, `legal_aid.yaml.tmp-${other}-0badc0de`);
    await writeFile(temp, 'half of a publish');
    await writeFile(publishJournalFile(paths.dataDir), journal(other, [{ action: 'write', target: '../intents/legal_aid.yaml', temp: '../intents/legal_aid.yaml.tmp-0', sha256: 'x' }]));
    const report = await recoverKnowledgeFiles(paths);
    expect(report.journal).toBe('busy');
    expect(existsSync(temp)).toBe(true);
    expect(existsSync(publishJournalFile(paths.dataDir))).toBe(true);
  });

  it('removes temp files of a process that is gone when there is no journal', async () => {
    const temp = join(paths.dataDir, 'facts', 'legal_aid.json.tmp-99999999-0badc0de');
    await writeFile(temp, '{');
    const loaded = await loadKnowledgeCached(paths, join(root, 'cache'));
    expect(loaded.kb).toBeDefined();
    expect(existsSync(temp)).toBe(false);
  });

  it("clears the journal's own leftover temp in the data folder, and nothing else of other writers there", async () => {
    const journalTemp = `${publishJournalFile(paths.dataDir)}.tmp-99999999-0badc0de`;
    const otherWriter = join(paths.dataDir, 'console-draft.json.tmp-99999999-0badc0de'); // RUNTIME_DIR=data
    await writeFile(journalTemp, '{');
    await writeFile(otherWriter, '{');
    await recoverKnowledgeFiles(paths);
    expect(existsSync(journalTemp)).toBe(false);
    expect(existsSync(otherWriter)).toBe(true);
  });

  it('refuses to load, naming the journal, when it cannot be read — and keeps it for a person', async () => {
    await writeFile(publishJournalFile(paths.dataDir), '{"version": 1, "ops": [');
    const loaded = await loadKnowledgeCached(paths, join(root, 'cache'));
    expect(loaded.kb).toBeUndefined();
    expect(loaded.issues[0]).toMatchObject({ code: 'E_PUBLISH_JOURNAL', file: publishJournalFile(paths.dataDir) });
    expect(loaded.issues[0]?.message).toContain('发布日志已损坏');
    expect(existsSync(publishJournalFile(paths.dataDir))).toBe(true);
  });

  it('does not rename a temp file whose content is not what the journal recorded', async () => {
    const before = await readFile(join(paths.intentsDir, 'legal_aid.yaml'), 'utf8');
    await writeFile(join(paths.intentsDir, 'legal_aid.yaml.tmp-99999999-0badc0de'), 'version: 1\ntopic: legal_aid\nintents: []\n');
    await writeFile(
      publishJournalFile(paths.dataDir),
      journal(99999999, [{ action: 'write', target: '../intents/legal_aid.yaml', temp: '../intents/legal_aid.yaml.tmp-99999999-0badc0de', sha256: '0'.repeat(64) }]),
    );
    const loaded = await loadKnowledgeCached(paths, join(root, 'cache'));
    expect(loaded.kb).toBeUndefined();
    expect(loaded.issues[0]?.message).toContain('内容与发布日志记录的不一致');
    expect(await readFile(join(paths.intentsDir, 'legal_aid.yaml'), 'utf8')).toBe(before);
    expect((await readdir(paths.intentsDir)).filter((name) => name.includes('.tmp-'))).toHaveLength(1);
  });
});
