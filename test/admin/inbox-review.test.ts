import { beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledgeFromDisk } from '../../src/adapters/knowledge-files.ts';
import { createDrafts } from '../../src/admin/drafts.ts';
import { createInboxReview, suggestIntent } from '../../src/admin/inbox-review.ts';
import type { Exchange } from '../../src/admin/ports.ts';
import type { KnowledgeBase } from '../../src/knowledge/schema.ts';
import { createMemoryStore } from '../fakes/memory-store.ts';

let live: KnowledgeBase;
beforeAll(async () => {
  live = (await loadKnowledgeFromDisk({ intentsDir: 'test/fixtures/kb/intents', dataDir: 'test/fixtures/kb/data' })).kb!;
});

describe('the intent the inbox picker starts on', () => {
  it.each([
    ['no guess', undefined, undefined],
    ['a guess below the threshold', { intent: 'emergency.self_harm', score: 0.1 }, undefined],
    ['an ordinary guess below the threshold', { intent: 'triage.debt', score: 0.29 }, undefined],
    ['a guess at the threshold', { intent: 'triage.debt', score: 0.3 }, 'triage.debt'],
    ['a confident guess', { intent: 'legal_aid.how_to_apply', score: 0.95 }, 'legal_aid.how_to_apply'],
    ['a confident emergency guess (always a deliberate choice)', { intent: 'emergency.danger', score: 0.95 }, undefined],
  ])('%s', (_, guess, expected) => {
    expect(suggestIntent(guess, 0.3)).toBe(expected);
  });
});

async function setup() {
  const store = createMemoryStore();
  const drafts = await createDrafts({ live: () => live });
  return { store, drafts, review: createInboxReview({ store, drafts }) };
}

let clock = Date.parse('2025-03-01T08:00:00Z');
const turn = (text: string, chatKey: string, reply = `答复：${text}`): Omit<Exchange, 'id'> => ({
  at: new Date((clock += 60_000)).toISOString(),
  channel: 'web',
  chatKey,
  text,
  intent: 'none',
  topic: 'none',
  confidence: 0,
  kind: 'clarify',
  decidedBy: 'fallback',
  reply,
});

describe('不属于本服务', () => {
  it('adds the text to the out-of-scope intent of the draft and marks the group done', async () => {
    const { store, drafts, review } = await setup();
    const exchange = await store.recordExchange(turn('我想买房贷款', 'web:a'));
    const result = await review.markOutOfScope([exchange.id], '我想买房贷款', 'alice');
    expect(result.item.name).toBe('out_of_scope.any');
    expect(drafts.kb().intents.find((intent) => intent.name === 'out_of_scope.any')!.examples).toContain('我想买房贷款');
    expect(await store.inboxStatuses()).toEqual({ [exchange.id]: 'done' });
  });
});

describe('the context of an inbox message', () => {
  it('shows the bot reply and up to three turns either side from the same chat only, masked', async () => {
    const { store, review } = await setup();
    const ids: string[] = [];
    for (let n = 1; n <= 9; n += 1) {
      ids.push((await store.recordExchange(turn(`第${n}句`, 'web:a'))).id);
      await store.recordExchange(turn(`别人的第${n}句`, 'web:b'));
    }
    const middle = await store.recordExchange(turn('我电话13812345678，房子的事', 'web:a', '请问您想咨询什么？可拨打12348'));
    for (let n = 10; n <= 11; n += 1) await store.recordExchange(turn(`第${n}句`, 'web:a'));

    const context = await review.context(middle.id);
    expect(context.turns.map((entry) => entry.text)).toEqual(['第7句', '第8句', '第9句', '我电话138****5678，房子的事', '第10句', '第11句']);
    expect(context.turns.find((entry) => entry.current)).toMatchObject({ exchangeId: middle.id, reply: '请问您想咨询什么？可拨打12348' });
    expect(context.turns[0]!.reply).toBe('答复：第7句');
    expect(context).toMatchObject({ earlier: true, later: false });
  });
});
