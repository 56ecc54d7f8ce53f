import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDraftFile } from '../../../src/adapters/draft-file.ts';
import { createKnowledgeWriter } from '../../../src/adapters/knowledge-writer.ts';
import { createDrafts } from '../../../src/admin/drafts.ts';
import { createPublisher } from '../../../src/admin/publish.ts';
import { createWebApp } from '../../../src/channels/web/app.ts';
import { loadConsoleFiles } from '../../../src/channels/web/server.ts';
import { createKeyedQueue } from '../../../src/lib/keyed-queue.ts';
import { createLogger } from '../../../src/lib/logger.ts';
import { createAppFixture } from '../../e2e/web/app-fixture.ts';

let fixture: Awaited<ReturnType<typeof createAppFixture>>;
let admin: Record<string, string>;
let otherAdmin: Record<string, string>;

interface DraftView {
  dirty: boolean;
  facts: { item: { id: string; text: string; topic: string }; revision: string }[];
  intents: { item: { name: string; examples: string[] }; revision: string }[];
}

beforeAll(async () => {
  fixture = await createAppFixture();
  admin = await fixture.login('admin', 'admin-Orchid-7421');
  otherAdmin = await fixture.login('admin', 'admin-Orchid-7421'); // a second browser of another admin
});
afterAll(() => fixture?.cleanup());

const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
  const response = await fixture.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('editing intents and facts in the draft', () => {
  it('gives the editor Chinese names for topics and for the intents offered as follow-ups', async () => {
    const draft = (await call('GET', '/api/admin/draft', admin)).body as { labels: { topics: Record<string, string>; intents: Record<string, string> } };
    expect(draft.labels.topics.mediation).toBe('人民调解');
    expect(draft.labels.intents['legal_aid.how_to_apply']).toBe('法律援助怎么申请？');
  });

  it('gives the second of two admins saving the same fact a conflict, never a silent overwrite', async () => {
    const draft = (await call('GET', '/api/admin/draft', admin)).body as unknown as DraftView;
    const { item, revision } = draft.facts[0]!;
    const first = await call('PUT', `/api/admin/facts/${item.id}`, admin, { item: { ...item, text: `${item.text}（甲）` }, revision });
    expect(first.status).toBe(200);
    const second = await call('PUT', `/api/admin/facts/${item.id}`, otherAdmin, { item: { ...item, text: `${item.text}（乙）` }, revision });
    expect(second.status).toBe(409);
    expect(String(second.body.error)).toContain('已被其他管理员修改');
    const after = (await call('GET', '/api/admin/draft', admin)).body as unknown as DraftView;
    expect(after.facts.find((fact) => fact.item.id === item.id)!.item.text).toContain('（甲）');
  });

  it('refuses an invalid intent with issues that say where, and saves nothing', async () => {
    const before = (await call('GET', '/api/admin/draft', admin)).body as unknown as DraftView;
    const saved = await call('POST', '/api/admin/intents', admin, {
      item: { name: 'legal_aid.too_few', description: '测试', question: '测试？', examples: ['只有一条'], answer: { facts: ['no.such_fact'] } },
    });
    expect(saved.status).toBe(422);
    const issues = saved.body.issues as { file: string; path: string; field: string; message: string }[];
    expect(issues.some((issue) => issue.file === 'intents/legal_aid.yaml' && issue.path.includes('examples'))).toBe(true);
    // All at once, each with the field as the editor names it: the admin fixes the form in one round.
    expect(issues.map((issue) => `${issue.field}：${issue.message}`)).toEqual(['例句：至少需要12条例句', '使用的事实（第 1 条）：事实 no.such_fact 不存在']);
    const after = (await call('GET', '/api/admin/draft', admin)).body as unknown as DraftView;
    expect(after.intents.length).toBe(before.intents.length);
  });

  it('publishes the draft to the files and the running engine, then rolls back', async () => {
    const draft = (await call('GET', '/api/admin/draft', admin)).body as unknown as DraftView;
    expect(draft.dirty).toBe(true); // the fact edited above
    const published = await call('POST', '/api/admin/publish', admin, {});
    expect(published.status).toBe(200);
    const edited = draft.facts[0]!.item;
    const file = join(fixture.dataDir, 'facts', `${edited.topic}.json`);
    expect(await readFile(file, 'utf8')).toContain('（甲）');
    expect(fixture.core.engine.knowledge().facts.find((fact) => fact.id === edited.id)!.text).toContain('（甲）');

    const history = await call('GET', '/api/admin/history', admin);
    const [entry] = history.body.entries as { id: string; by: string; changes: unknown[] }[];
    expect(entry!.by).toBe('admin');
    const rolled = await call('POST', `/api/admin/history/${entry!.id}/rollback`, admin, {});
    expect(rolled.status).toBe(200);
    expect(await readFile(file, 'utf8')).not.toContain('（甲）');
    expect(fixture.core.engine.knowledge().facts.find((fact) => fact.id === edited.id)!.text).not.toContain('（甲）');
  });

  it('says so when there is nothing to publish', async () => {
    const response = await call('POST', '/api/admin/publish', admin, {});
    expect(response.status).toBe(400);
  });
});

describe('when something goes wrong on disk', () => {
  const historyDir = () => join(fixture.root, 'runtime', 'history');

  it('lists the other history entries when one history file is bad, and names it', async () => {
    await mkdir(historyDir(), { recursive: true });
    await writeFile(join(historyDir(), '20200101T000000Z-badbad.json'), '{ not json');
    const history = await call('GET', '/api/admin/history', admin);
    expect(history.status).toBe(200);
    expect(history.body.unreadable).toEqual([expect.objectContaining({ file: '20200101T000000Z-badbad.json' })]);
    expect((history.body.entries as unknown[]).length).toBe(2); // the publish and the rollback above
  });

  it('shows why a publish failed half way, keeps the files and the draft, and adds no history entry', async () => {
    let temps = 0;
    const writer = createKnowledgeWriter(
      { intentsDir: fixture.intentsDir, dataDir: fixture.dataDir, historyDir: historyDir() },
      {
        onStep(step) {
          if (step.startsWith('temp written') && (temps += 1) === 2) throw new Error('EIO: i/o error, write');
        },
      },
    );
    const { services } = fixture;
    const publisher = createPublisher({
      core: fixture.core,
      drafts: services.drafts,
      writer,
      history: services.history,
      queue: createKeyedQueue(),
      heldout: async () => [],
      buildEngine: (kb) => fixture.core.buildEngine(kb),
      lint: () => [],
      logger: createLogger('silent'),
    });
    const app = createWebApp({ ...services, publisher }, await loadConsoleFiles());

    const draft = (await call('GET', '/api/admin/draft', admin)).body as unknown as DraftView;
    const fact = draft.facts[0]!;
    await call('PUT', `/api/admin/facts/${fact.item.id}`, admin, { item: { ...fact.item, text: `${fact.item.text}（丙）` }, revision: fact.revision });
    const intent = draft.intents.find((entry) => !entry.item.name.startsWith(fact.item.topic))!;
    await call('PUT', `/api/admin/intents/${intent.item.name}`, admin, { item: { ...intent.item, description: '改过的说明' }, revision: intent.revision });
    const factFile = join(fixture.dataDir, 'facts', `${fact.item.topic}.json`);
    const factsBefore = await readFile(factFile, 'utf8');
    const entriesBefore = ((await call('GET', '/api/admin/history', admin)).body.entries as unknown[]).length;

    const response = await app.request('http://localhost/api/admin/publish', { method: 'POST', headers: admin, body: '{}' });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: string };
    expect(body.error).toContain('发布失败');
    expect(body.error).toContain('EIO');
    expect(await readFile(factFile, 'utf8')).toBe(factsBefore);
    expect(((await call('GET', '/api/admin/history', admin)).body.entries as unknown[]).length).toBe(entriesBefore);
    expect(((await call('GET', '/api/admin/draft', admin)).body as unknown as DraftView).dirty).toBe(true);
    await call('POST', '/api/admin/draft/discard', admin, {});
  });

  it('tells the admin when the stored draft cannot be read', async () => {
    const unreadable = createDraftFile(join(fixture.root, 'runtime', 'console-draft.json'), {
      logger: createLogger('silent'),
      read: async () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      },
    });
    const drafts = await createDrafts({ live: () => fixture.core.engine.knowledge(), persistence: unreadable });
    const app = createWebApp({ ...fixture.services, drafts }, await loadConsoleFiles());
    const response = await app.request('http://localhost/api/admin/draft', { headers: admin });
    const body = (await response.json()) as { problem: string | null };
    expect(body.problem).toContain('草稿文件无法读取');
  });
});
