import { describe, expect, it } from 'vitest';
import { listConversations, openConversation } from '../../src/admin/conversation-log.ts';
import { conversationStarts, groupConversations } from '../../src/admin/conversations.ts';
import { parseDateRange, type DateRange } from '../../src/admin/date-range.ts';
import type { Exchange } from '../../src/admin/ports.ts';
import { createMemoryStore } from '../fakes/memory-store.ts';

const TTL = 30;
/** Beijing time: the city's days. */
const BEIJING = 480;

type Extra = Partial<Omit<Exchange, 'id' | 'at' | 'chatKey'>>;
const exchange = (at: string, chatKey: string, text: string, extra: Extra = {}): Omit<Exchange, 'id'> => ({
  at,
  channel: chatKey.startsWith('web:') ? 'web' : 'telegram',
  chatKey,
  text,
  intent: 'legal_aid.how_to_apply',
  topic: 'legal_aid',
  confidence: 0.9,
  kind: 'answer',
  decidedBy: 'classifier',
  reply: `答：${text}`,
  ...extra,
});

const missed: Extra = { intent: 'none', topic: 'none', confidence: 0.1, kind: 'clarify', decidedBy: 'fallback' };
const hotline: Extra = { intent: 'hotline.what_is', topic: 'hotline' };

async function storeWith(list: Omit<Exchange, 'id'>[]) {
  const store = createMemoryStore();
  const stored: Exchange[] = [];
  for (const item of list) stored.push(await store.recordExchange(item));
  return { store, stored };
}

const day = (from: string, to = from): DateRange => ({ from, to, offsetMinutes: BEIJING });
const list = (store: ReturnType<typeof createMemoryStore>, range: DateRange, filter = {}, page = 1, size = 20) =>
  listConversations(store, { range, filter, page, size }, TTL);

describe('grouping exchanges into conversations', () => {
  it('starts a new conversation after more than the context TTL of silence, not at exactly the TTL', () => {
    const records = groupConversations(
      [
        { ...exchange('2024-05-02T02:00:00Z', 'telegram:1', '一'), id: 'a' },
        { ...exchange('2024-05-02T02:20:00Z', 'telegram:1', '二'), id: 'b' },
        { ...exchange('2024-05-02T02:50:00Z', 'telegram:1', '三'), id: 'c' }, // exactly 30 min: still the same
        { ...exchange('2024-05-02T03:20:01Z', 'telegram:1', '四'), id: 'd' }, // 30 min 1 s: a new one
      ],
      TTL,
    );
    expect(records.map((record) => record.exchanges.map((item) => item.id))).toEqual([['a', 'b', 'c'], ['d']]);
    expect(records.map((record) => record.id)).toEqual(['a', 'd']);
  });

  it('finds the same conversation starts when only counting (the dashboard) as when grouping (the list)', () => {
    const list = [
      { ...exchange('2024-05-02T02:00:00Z', 'telegram:1', '一'), id: 'a' },
      { ...exchange('2024-05-02T02:10:00Z', 'web:x', '二'), id: 'b' },
      { ...exchange('2024-05-02T02:45:00Z', 'web:x', '三'), id: 'c' },
      { ...exchange('2024-05-02T02:30:00Z', 'telegram:1', '四'), id: 'd' }, // out of order: sorted first
    ];
    expect(conversationStarts(list, TTL).map((item) => item.id)).toEqual(groupConversations(list, TTL).map((record) => record.id));
    expect(conversationStarts(list, TTL).map((item) => item.id)).toEqual(['a', 'b', 'c']);
  });

  it('keeps interleaved chats apart, each with its channel', () => {
    const records = groupConversations(
      [
        { ...exchange('2024-05-02T02:00:00Z', 'telegram:1', '电报一'), id: 't1' },
        { ...exchange('2024-05-02T02:01:00Z', 'web:abc', '网页一'), id: 'w1' },
        { ...exchange('2024-05-02T02:02:00Z', 'telegram:1', '电报二'), id: 't2' },
        { ...exchange('2024-05-02T02:03:00Z', 'web:abc', '网页二'), id: 'w2' },
      ],
      TTL,
    );
    expect(records.map((record) => [record.channel, record.exchanges.map((item) => item.id)])).toEqual([
      ['telegram', ['t1', 't2']],
      ['web', ['w1', 'w2']],
    ]);
  });
});

describe('the conversation list', () => {
  it('shows one row per conversation with its first message, turns, topics and what went wrong, newest first', async () => {
    const { store, stored } = await storeWith([
      exchange('2024-05-02T01:00:00Z', 'telegram:1', '法律援助怎么申请'),
      exchange('2024-05-02T01:05:00Z', 'telegram:1', '那个东西', missed),
      exchange('2024-05-02T01:06:00Z', 'telegram:1', '12348是什么', hotline),
      exchange('2024-05-02T01:07:00Z', 'telegram:1', '转人工', { intent: 'handoff.request', topic: 'handoff', kind: 'handoff', decidedBy: 'rule' }),
      exchange('2024-05-02T03:00:00Z', 'web:abc', '热线几点上班', hotline),
    ]);
    await store.recordFeedback({ exchangeId: stored[0]!.id, at: '2024-05-02T01:01:00Z', chatKey: 'telegram:1', value: 'down', intent: stored[0]!.intent });
    const page = await list(store, day('2024-05-02'));
    expect(page.total).toBe(2);
    expect(page.conversations.map((row) => row.firstText)).toEqual(['热线几点上班', '法律援助怎么申请']);
    expect(page.conversations[1]).toMatchObject({
      id: stored[0]!.id,
      channel: 'telegram',
      turns: 4,
      topics: ['legal_aid', 'hotline', 'handoff'],
      handoff: true,
      missed: 1,
      down: 1,
      up: 0,
    });
    expect(page.conversations[0]).toMatchObject({ channel: 'web', turns: 1, handoff: false, missed: 0, down: 0 });
    // The raw chat id is not shown; the same chat keeps the same pseudonym.
    expect(JSON.stringify(page)).not.toContain('telegram:1');
  });

  it('filters by channel, topic and outcome, and counts each channel for the filter', async () => {
    const { store } = await storeWith([
      exchange('2024-05-02T01:00:00Z', 'telegram:1', '法律援助'),
      exchange('2024-05-02T01:00:00Z', 'telegram:2', '热线', hotline),
      exchange('2024-05-02T01:00:00Z', 'web:a', '法律援助在哪'),
      exchange('2024-05-02T01:00:00Z', 'web:b', '听不懂的话', missed),
    ]);
    const range = day('2024-05-02');
    const web = await list(store, range, { channel: 'web' });
    expect(web.conversations.map((row) => row.firstText).sort()).toEqual(['听不懂的话', '法律援助在哪']);
    expect(web.channels).toEqual({ telegram: 2, web: 2 });
    const legalAid = await list(store, range, { topic: 'legal_aid' });
    expect(legalAid.conversations.map((row) => row.firstText).sort()).toEqual(['法律援助', '法律援助在哪']);
    expect(legalAid.channels).toEqual({ telegram: 1, web: 1 });
    expect((await list(store, range, { topic: 'legal_aid', channel: 'telegram' })).conversations.map((row) => row.firstText)).toEqual(['法律援助']);
    expect((await list(store, range, { outcome: 'missed' })).conversations.map((row) => row.firstText)).toEqual(['听不懂的话']);
  });

  it('lists a conversation on the local day it started, whole, and never in the range before', async () => {
    const { store } = await storeWith([
      // 2024-05-01 23:00 UTC is 07:00 on 5月2日 in Beijing.
      exchange('2024-05-01T23:00:00Z', 'telegram:1', '早上好'),
      // Starts 23:50 on 5月2日 Beijing time and goes on past midnight.
      exchange('2024-05-02T15:50:00Z', 'web:late', '深夜提问'),
      exchange('2024-05-02T16:10:00Z', 'web:late', '接着问'),
      // 5月1日 Beijing time.
      exchange('2024-05-01T10:00:00Z', 'web:early', '前一天'),
    ]);
    const may2 = await list(store, day('2024-05-02'));
    expect(may2.conversations.map((row) => [row.firstText, row.turns])).toEqual([['深夜提问', 2], ['早上好', 1]]);
    expect((await list(store, day('2024-05-03'))).total).toBe(0); // the late one belongs to 5月2日 only
    expect((await list(store, day('2024-05-01'))).conversations.map((row) => row.firstText)).toEqual(['前一天']);
    expect((await list(store, day('2024-05-01', '2024-05-03'))).total).toBe(3);
  });

  it('pages through the list and shows the last page for a page past the end', async () => {
    const { store } = await storeWith(
      Array.from({ length: 12 }, (_, index) => exchange(`2024-05-02T0${Math.floor(index / 6)}:${String((index % 6) * 5).padStart(2, '0')}:00Z`, `web:c${index}`, `问题${index}`)),
    );
    const range = day('2024-05-02');
    const first = await list(store, range, {}, 1, 5);
    expect(first).toMatchObject({ total: 12, page: 1, pages: 3, size: 5 });
    expect(first.conversations.map((row) => row.firstText)).toEqual(['问题11', '问题10', '问题9', '问题8', '问题7']);
    const last = await list(store, range, {}, 9, 5);
    expect(last.page).toBe(3);
    expect(last.conversations.map((row) => row.firstText)).toEqual(['问题1', '问题0']);
  });

  it('defaults to the last seven local days and refuses a reversed or malformed range', () => {
    const now = new Date('2024-05-07T20:00:00Z'); // 5月8日 04:00 in Beijing
    expect(parseDateRange({ tz: '480' }, now)).toEqual({ ok: true, range: { from: '2024-05-02', to: '2024-05-08', offsetMinutes: 480 } });
    expect(parseDateRange({ from: '2024-05-03', to: '2024-05-01' }, now)).toMatchObject({ ok: false, error: '开始日期不能晚于结束日期' });
    expect(parseDateRange({ from: '2024-02-30' }, now)).toMatchObject({ ok: false });
    expect(parseDateRange({ from: '1024-05-01', to: '2024-05-01' }, now)).toMatchObject({ ok: false, error: '日期范围最长 366 天' });
  });
});

describe('a transcript', () => {
  it('shows each message and reply with the decision and votes, and stops at the session break', async () => {
    const { store, stored } = await storeWith([
      exchange('2024-05-02T15:50:00Z', 'web:a', '法律援助怎么申请'),
      exchange('2024-05-02T15:55:00Z', 'web:b', '别人的对话'),
      exchange('2024-05-02T16:15:00Z', 'web:a', '那个东西', missed), // after midnight Beijing, UTC day 5月2日
      exchange('2024-05-03T00:10:00Z', 'web:a', '第二天再来'), // a new conversation
    ]);
    await store.recordFeedback({ exchangeId: stored[0]!.id, at: '2024-05-02T15:51:00Z', chatKey: 'web:a', value: 'up', intent: stored[0]!.intent });
    const transcript = await openConversation(store, stored[0]!.id, TTL);
    expect(transcript?.exchanges.map((turn) => turn.text)).toEqual(['法律援助怎么申请', '那个东西']);
    expect(transcript?.exchanges[0]).toMatchObject({ reply: '答：法律援助怎么申请', intent: 'legal_aid.how_to_apply', confidence: 0.9, decidedBy: 'classifier', kind: 'answer', feedback: 'up' });
    expect(transcript?.exchanges[1]).toMatchObject({ intent: 'none', kind: 'clarify', decidedBy: 'fallback' });
    expect(transcript?.exchanges[1]).not.toHaveProperty('feedback');
    expect(transcript).toMatchObject({ turns: 2, missed: 1, up: 1 });
    expect(await openConversation(store, 'x999999', TTL)).toBeUndefined();
  });

  it('follows a conversation that goes on for more than a day without a long pause', async () => {
    // A message every 20 minutes for 30 hours (the transcript reads a day at a time), a pause, then another conversation.
    const start = Date.parse('2024-05-02T10:00:00Z');
    const times = Array.from({ length: 90 }, (_, index) => new Date(start + index * 20 * 60_000).toISOString());
    times.push(new Date(start + 89 * 20 * 60_000 + 31 * 60_000).toISOString());
    const { store, stored } = await storeWith(times.map((at, index) => exchange(at, 'telegram:9', `第${index}句`)));
    const transcript = await openConversation(store, stored[0]!.id, TTL);
    expect(transcript?.turns).toBe(90);
    expect(transcript?.exchanges.at(-1)?.text).toBe('第89句');
  });
});
