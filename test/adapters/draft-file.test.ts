import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDraftFile } from '../../src/adapters/draft-file.ts';
import { createDrafts } from '../../src/admin/drafts.ts';
import { StateError } from '../../src/admin/errors.ts';
import type { KnowledgeBase } from '../../src/knowledge/schema.ts';
import { hotlineFact, tinyKnowledge } from '../support/tiny-kb.ts';
import { createLogger } from '../../src/lib/logger.ts';

const fact = hotlineFact;
const live: KnowledgeBase = tinyKnowledge();

let dir: string;
let file: string;
let logLines: string[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'draft-file-'));
  file = join(dir, 'console-draft.json');
  logLines = [];
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const logger = () => createLogger('info', (line) => logLines.push(line));
const now = () => new Date('2025-03-04T05:06:07.890Z');
const open = (read?: (path: string) => Promise<string>) =>
  createDrafts({ live: () => live, persistence: createDraftFile(file, { logger: logger(), now, ...(read ? { read } : {}) }), now });
const editFact = async (drafts: Awaited<ReturnType<typeof open>>) => {
  const { revision } = drafts.view().facts[0]!;
  return drafts.saveFact(fact.id, { ...fact, text: '12348是公共法律服务热线电话。' }, revision, 'alice');
};

describe('the console draft file', () => {
  it('moves a corrupt draft aside, says so in the log and the console, and never overwrites it', async () => {
    await writeFile(file, '{"base": "abc", "intents": [');
    const drafts = await open();
    const aside = join(dir, 'console-draft.json.corrupt-2025-03-04T05-06-07-890Z');
    expect(await readFile(aside, 'utf8')).toBe('{"base": "abc", "intents": [');
    expect(drafts.view().problem).toContain('草稿文件已损坏');
    expect(drafts.view().problem).toContain(aside);
    expect(logLines.some((line) => line.includes('corrupt') && line.includes(aside))).toBe(true);

    await editFact(drafts); // the draft starts again from the live knowledge and saves normally
    expect(JSON.parse(await readFile(file, 'utf8')).changes).toHaveLength(1);
    expect(await readFile(aside, 'utf8')).toBe('{"base": "abc", "intents": [');
    expect(drafts.view().problem).toBeUndefined();
  });

  it('treats JSON that is not a draft as corrupt too', async () => {
    await writeFile(file, '[1, 2, 3]');
    const drafts = await open();
    expect(drafts.view().problem).toContain('草稿文件已损坏');
    expect((await readdir(dir)).some((name) => name.startsWith('console-draft.json.corrupt-'))).toBe(true);
  });

  it('reports an unreadable draft as unreadable, leaves it in place and refuses to save over it', async () => {
    await writeFile(file, 'an admin’s unpublished work');
    const denied = async () => {
      throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES' });
    };
    const drafts = await open(denied);
    expect(drafts.view().problem).toContain('草稿文件无法读取');
    expect(drafts.view().problem).toContain('EACCES');
    expect(drafts.view().problem).not.toContain('损坏');
    expect(logLines.some((line) => line.includes('cannot be read'))).toBe(true);
    await expect(editFact(drafts)).rejects.toBeInstanceOf(StateError);
    expect(await readdir(dir)).toEqual(['console-draft.json']); // not moved aside
    expect(await readFile(file, 'utf8')).toBe('an admin’s unpublished work'); // not overwritten

    await drafts.reset(); // discarding is the admin's way past it
    expect(drafts.view().problem).toBeUndefined();
    await editFact(drafts);
  });

  it.skipIf(process.getuid?.() === 0)('reports a draft without read permission (chmod 000) as unreadable', async () => {
    await writeFile(file, JSON.stringify({ base: 'x', intents: [], facts: [], changes: [] }));
    await chmod(file, 0o000);
    try {
      const drafts = await open();
      expect(drafts.view().problem).toContain('草稿文件无法读取');
      await expect(editFact(drafts)).rejects.toBeInstanceOf(StateError);
      expect(await readdir(dir)).toEqual(['console-draft.json']);
    } finally {
      await chmod(file, 0o600);
    }
  });

  it('picks the draft up once it can be read again', async () => {
    const stored = { base: 'x', intents: [], facts: [{ ...fact, text: '草稿里的文本。' }], changes: [{ kind: 'fact', id: fact.id, action: 'edit', by: 'bob', at: 'x' }] };
    await writeFile(file, JSON.stringify(stored));
    let allowed = false;
    const drafts = await open(async (path) => {
      if (!allowed) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      return readFile(path, 'utf8');
    });
    expect(drafts.view().dirty).toBe(false);
    allowed = true; // an operator fixed the permissions
    await drafts.saveFact(undefined, { ...fact, id: 'hotline.new', text: '新事实。', figures: [] }, undefined, 'alice');
    expect(drafts.view().changes.map((change) => change.by)).toEqual(['bob', 'alice']);
    expect(drafts.view().problem).toBeUndefined();
  });
});
