import { describe, expect, it } from 'vitest';
import { dashboardCsv } from '../../src/admin/dashboard-csv.ts';
import { dashboardReport, loadDashboard } from '../../src/admin/dashboard.ts';
import type { DateRange } from '../../src/admin/date-range.ts';
import type { Exchange, Feedback } from '../../src/admin/ports.ts';
import { createMemoryStore } from '../fakes/memory-store.ts';

const TTL = 30;
const NOW = new Date('2024-05-04T04:00:00Z');
const range: DateRange = { from: '2024-05-02', to: '2024-05-03', offsetMinutes: 480 };

let next = 0;
type Extra = Partial<Omit<Exchange, 'id' | 'at' | 'chatKey'>>;
const exchange = (at: string, chatKey: string, text: string, extra: Extra = {}): Exchange => ({
  id: `e${next++}`,
  at,
  channel: chatKey.startsWith('web:') ? 'web' : 'telegram',
  chatKey,
  text,
  intent: 'legal_aid.how_to_apply',
  topic: 'legal_aid',
  confidence: 0.9,
  kind: 'answer',
  decidedBy: 'classifier',
  reply: '答',
  ...extra,
});
const missed: Extra = { intent: 'none', topic: 'none', confidence: 0.1, kind: 'clarify', decidedBy: 'fallback' };
const hotline: Extra = { intent: 'hotline.what_is', topic: 'hotline' };
const handoff: Extra = { intent: 'handoff.request', topic: 'handoff', kind: 'handoff', decidedBy: 'rule' };
const vote = (item: Exchange, value: Feedback['value']): Feedback => ({ exchangeId: item.id, at: item.at, chatKey: item.chatKey, value, intent: item.intent });

describe('dashboard figures over a date range', () => {
  const traffic = [
    exchange('2024-05-01T15:00:00Z', 'web:old', '范围之前'), // 5月1日 23:00 Beijing: outside
    exchange('2024-05-01T17:00:00Z', 'web:a', '法律援助怎么申请'), // 5月2日 01:00 Beijing
    exchange('2024-05-01T17:01:00Z', 'web:a', '我家那个事情怎么弄', missed),
    exchange('2024-05-01T17:02:00Z', 'web:a', '转人工', handoff),
    exchange('2024-05-02T02:00:00Z', 'telegram:1', '12348是什么', hotline),
    exchange('2024-05-02T02:05:00Z', 'telegram:1', '我家那个事情咋弄', missed),
    exchange('2024-05-03T01:00:00Z', 'telegram:2', '法律援助在哪', {}),
    exchange('2024-05-03T01:01:00Z', 'telegram:2', '[sticker]', { ...missed, kind: 'unsupported', decidedBy: 'input' }),
    exchange('2024-05-03T01:02:00Z', 'telegram:2', '邻居的狗天天叫', missed),
    exchange('2024-05-03T16:30:00Z', 'web:late', '范围之后'), // 5月4日 00:30 Beijing: outside
  ];
  const [, a1, , , t1, , t2] = traffic;
  const feedback = [vote(a1!, 'down'), vote(t2!, 'down'), vote(t1!, 'up'), vote(traffic[0]!, 'down')];
  const report = dashboardReport(traffic, feedback, [], range, TTL, NOW);

  it('counts only the range, by the local day', () => {
    expect(report.total).toBe(8);
    expect(report.perDay).toEqual([
      { day: '2024-05-02', count: 5, fallback: 2 },
      { day: '2024-05-03', count: 3, fallback: 2 },
    ]);
    expect(report.conversations).toBe(3);
    expect(report.handoffs).toBe(1);
    expect(report.feedback).toMatchObject({ up: 1, down: 2 }); // the 👎 on the message before the range is not counted
  });

  it('splits messages, conversations, misses, handoffs and votes per channel', () => {
    expect(report.channels).toEqual([
      { channel: 'web', messages: 3, conversations: 1, missed: 1, handoffs: 1, up: 0, down: 1 },
      { channel: 'telegram', messages: 5, conversations: 2, missed: 3, handoffs: 0, up: 1, down: 1 },
    ]);
  });

  it('gives the 👎 rate per topic among rated answers, worst first', () => {
    expect(report.topicFeedback).toEqual([
      { topic: 'legal_aid', messages: 2, up: 0, down: 2, downRate: 1 },
      { topic: 'hotline', messages: 1, up: 1, down: 0, downRate: 0 },
      { topic: 'handoff', messages: 1, up: 0, down: 0, downRate: 0 },
    ]);
  });

  it('lists the questions it did not understand, alike wordings together, stickers left out', () => {
    expect(report.unanswered).toEqual([
      { text: '我家那个事情怎么弄', count: 2, lastAt: '2024-05-02T02:05:00Z', examples: ['我家那个事情咋弄'] },
      { text: '邻居的狗天天叫', count: 1, lastAt: '2024-05-03T01:02:00Z', examples: [] },
    ]);
  });

  it('shows an empty channel too, so web and Telegram can always be compared', () => {
    const empty = dashboardReport([], [], [], range, TTL, NOW);
    expect(empty.channels.map((row) => [row.channel, row.messages])).toEqual([['web', 0], ['telegram', 0]]);
    expect(empty.perDay.map((row) => row.day)).toEqual(['2024-05-02', '2024-05-03']);
  });

  it('exports the table figures as CSV in Chinese, with citizens’ text neutralised', () => {
    const withFormula = dashboardReport([exchange('2024-05-02T02:00:00Z', 'web:x', '=HYPERLINK("http://evil")', missed)], [], [], range, TTL, NOW);
    const csv = dashboardCsv(withFormula);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain('渠道,消息数,对话数,未理解,转人工,好评,差评');
    expect(csv).toContain('网页,1,1,1,0,0,0');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")",1,`);
    expect(dashboardCsv(report)).toContain('法律援助,2,0,2,100.0%');
  });

  it('reads the store for the range and one TTL around it (a conversation starting just before is not counted)', async () => {
    const store = createMemoryStore();
    await store.recordExchange({ ...exchange('2024-05-01T15:50:00Z', 'web:edge', '开始于前一天') });
    await store.recordExchange({ ...exchange('2024-05-01T16:10:00Z', 'web:edge', '跨过午夜') }); // 5月2日 00:10 Beijing
    const loaded = await loadDashboard(store, [], range, TTL, NOW);
    expect(loaded.total).toBe(1);
    expect(loaded.conversations).toBe(0);
  });
});
