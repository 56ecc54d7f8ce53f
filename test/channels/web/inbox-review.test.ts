import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/admin/ports.ts';
import { createAppFixture } from '../../e2e/web/app-fixture.ts';

/** The inbox's review actions over the real engine: what the picker starts on, 不属于本服务, context. */

let fixture: Awaited<ReturnType<typeof createAppFixture>>;
let admin: Record<string, string>;

beforeAll(async () => {
  fixture = await createAppFixture();
  admin = await fixture.login('admin', 'admin-Orchid-7421');
});
afterAll(() => fixture?.cleanup());

interface Group {
  id: string;
  text: string;
  reply: string | null;
  guess?: { intent: string; score: number };
  suggestion: string | null;
  items: { exchangeId: string }[];
}

const call = async (method: string, path: string, body?: unknown) => {
  const response = await fixture.request(path, { method, headers: admin, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const groups = async (status = 'new') => (await call('GET', `/api/admin/inbox?status=${status}&size=200`)).body.groups as Group[];

let clock = Date.now() - 60 * 60_000;
const record = (text: string, chatKey: string, reply = '您想问的是哪方面？') =>
  fixture.store.recordExchange({
    at: new Date((clock += 1000)).toISOString(),
    channel: 'web',
    chatKey,
    text,
    intent: 'none',
    topic: 'none',
    confidence: 0.1,
    kind: 'clarify',
    decidedBy: 'fallback',
    reply,
  } satisfies Omit<Exchange, 'id'>);

describe('the inbox picker', () => {
  it('starts on the bot guess only when it reaches the confidence threshold', async () => {
    await record('法律援助怎么申请', 'web:p1');
    await record('龘靐齉爩', 'web:p2');
    const threshold = fixture.services.config.CONFIDENCE_THRESHOLD;
    const listed = await groups();
    expect(listed.find((group) => group.text === '法律援助怎么申请')?.suggestion).toBe('legal_aid.how_to_apply');
    expect(listed.find((group) => group.text === '龘靐齉爩')?.suggestion).toBeNull();
    for (const group of listed) {
      if (!group.guess || group.guess.score < threshold) expect(group.suggestion, group.text).toBeNull();
    }
  });

  it('refuses 加为例句 with no intent chosen', async () => {
    const exchange = await record('邻居家的狗天天叫', 'web:p3');
    expect((await call('POST', '/api/admin/inbox/add-example', { exchangeIds: [exchange.id], intent: '', text: '邻居家的狗天天叫' })).status).toBe(400);
  });
});

describe('不属于本服务', () => {
  it('adds the text to the out-of-scope intent of the draft and moves the group to 已处理', async () => {
    const exchange = await record('我想买房贷款利率多少', 'web:o1');
    const response = await call('POST', '/api/admin/inbox/out-of-scope', { exchangeIds: [exchange.id], text: '我想买房贷款利率多少' });
    expect(response.status).toBe(200);
    expect(response.body.intent).toBe('out_of_scope.any');
    const draft = (await call('GET', '/api/admin/draft')).body.intents as { item: { name: string; examples: string[] } }[];
    expect(draft.find((entry) => entry.item.name === 'out_of_scope.any')!.item.examples).toContain('我想买房贷款利率多少');
    expect((await groups('done')).some((group) => group.id === exchange.id)).toBe(true);
  });
});

describe('context', () => {
  it('gives each group the bot reply, and each message the turns around it in its chat', async () => {
    await record('你好', 'web:c1', '您好，我是乐平市公共法律服务助手。');
    const missed = await record('我手机13812345678丢了能报案吗', 'web:c1', '抱歉，我没有理解。');
    await record('在吗', 'web:c1', '在的。');
    await record('别的对话', 'web:c2');

    expect((await groups()).find((group) => group.id === missed.id)?.reply).toBe('抱歉，我没有理解。');
    const context = (await call('GET', `/api/admin/inbox/context/${missed.id}`)).body as { turns: { text: string; reply: string; current: boolean }[] };
    expect(context.turns.map((turn) => [turn.text, turn.reply, turn.current])).toEqual([
      ['你好', '您好，我是乐平市公共法律服务助手。', false],
      ['我手机138****5678丢了能报案吗', '抱歉，我没有理解。', true],
      ['在吗', '在的。', false],
    ]);
    expect((await call('GET', '/api/admin/inbox/context/no-such-id')).status).toBe(404);
  });
});
