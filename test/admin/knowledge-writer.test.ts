import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderKnowledge } from '../../src/adapters/knowledge-render.ts';
import { createKnowledgeWriter } from '../../src/adapters/knowledge-writer.ts';
import { restoreChanges } from '../../src/admin/publish.ts';
import { ValidationError } from '../../src/admin/errors.ts';
import { IntentFileSchema, type Fact, type Intent } from '../../src/knowledge/schema.ts';

const examples = (stem: string) => Array.from({ length: 12 }, (_, index) => `${stem}${index + 1}`);

const YAML = `# 热线的意图——管理员的注释
version: 1
topic: hotline
intents:
  # 这是第一个意图
  - name: hotline.what_is
    description: 12348是什么
    question: 12348是什么电话？
    keywords: [热线, "12348"] # 关键词注释
    examples:
${examples('热线是什么').map((text) => `      - ${text}`).join('\n')}
    answer:
      facts: [hotline.what_is]
`;

const fact: Fact = {
  id: 'hotline.what_is',
  topic: 'hotline',
  text: '12348是公共法律服务热线。',
  figures: ['12348'],
  source: { id: 'S0', section: '一' },
  scope: 'general',
  asOf: '2020-12-31',
};

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'writer-'));
  await mkdir(join(root, 'intents'));
  await mkdir(join(root, 'data', 'facts'), { recursive: true });
  await writeFile(join(root, 'intents', 'hotline.yaml'), YAML);
  await writeFile(join(root, 'data', 'facts', 'hotline.json'), JSON.stringify({ version: 1, topic: 'hotline', facts: [fact] }));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const writer = () =>
  createKnowledgeWriter({ intentsDir: join(root, 'intents'), dataDir: join(root, 'data'), historyDir: join(root, 'runtime', 'history') });
const current = () => IntentFileSchema.parse(parse(YAML)).intents;

describe('knowledge writer', () => {
  it('leaves files whose content did not change untouched', async () => {
    const files = await writer().snapshot();
    expect(renderKnowledge({ intents: current(), facts: [fact] }, files)).toEqual({});
  });

  it("keeps admins' comments when an intent gains an example", async () => {
    const files = await writer().snapshot();
    const [intent] = current() as [Intent];
    const changes = renderKnowledge({ intents: [{ ...intent, examples: [...intent.examples, '新例句'] }], facts: [fact] }, files);
    await writer().apply(changes);
    const text = await readFile(join(root, 'intents', 'hotline.yaml'), 'utf8');
    expect(text).toContain('# 热线的意图——管理员的注释');
    expect(text).toContain('# 这是第一个意图');
    expect(text).toContain('# 关键词注释');
    expect(text).toContain('- 新例句');
    expect(text).not.toContain('priority'); // defaults the file did not spell out stay out
  });

  it('writes nothing when a rendered file would fail the schema', async () => {
    const files = await writer().snapshot();
    const [intent] = current() as [Intent];
    const broken = { ...intent, examples: ['太少'] };
    expect(() => renderKnowledge({ intents: [broken], facts: [{ ...fact, text: '改了' }] }, files)).toThrow(ValidationError);
    expect(await readFile(join(root, 'intents', 'hotline.yaml'), 'utf8')).toBe(YAML);
  });

  it('deletes the file of a topic left with no intents, and leaves no temp files', async () => {
    const files = await writer().snapshot();
    const legal: Intent = { ...(current()[0] as Intent), name: 'legal_aid.what_is', examples: examples('法援') };
    await writer().apply(renderKnowledge({ intents: [legal], facts: [fact] }, files));
    expect((await readdir(join(root, 'intents'))).sort()).toEqual(['legal_aid.yaml']);
    expect(await readdir(join(root, 'data', 'facts'))).toEqual(['hotline.json']);
  });

  it('restores a snapshot exactly', async () => {
    const w = writer();
    const before = await w.snapshot();
    const [intent] = current() as [Intent];
    await w.apply(renderKnowledge({ intents: [{ ...intent, description: '改过' }], facts: [] }, before));
    await w.apply(restoreChanges(before, await w.snapshot()));
    expect(await w.snapshot()).toEqual(before);
  });
});
