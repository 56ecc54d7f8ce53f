import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/admin/ports.ts';
import { dashboardStats } from '../../src/admin/stats.ts';
import type { Fact } from '../../src/knowledge/schema.ts';

const exchange = (at: string, intent: string): Exchange => ({
  id: at + intent,
  at,
  channel: 'web',
  chatKey: 'web:a',
  text: '问',
  intent,
  topic: intent === 'none' ? 'none' : intent.split('.')[0]!,
  confidence: 0.5,
  kind: intent === 'none' ? 'clarify' : 'answer',
  decidedBy: intent === 'none' ? 'fallback' : 'classifier',
  reply: '答',
});

const fact = (id: string, reviewBy?: string): Fact => ({
  id,
  topic: 'hotline',
  text: '正文',
  figures: [],
  source: { id: 'S0', section: '一' },
  scope: 'general',
  asOf: '2020-12-31',
  ...(reviewBy ? { reviewBy } : {}),
});

describe('dashboard figures', () => {
  it('counts per day, per topic, the fallback rate, feedback, and facts past review', () => {
    const stats = dashboardStats(
      [exchange('2024-05-02T08:00:00Z', 'hotline.what_is'), exchange('2024-05-03T08:00:00Z', 'none'), exchange('2024-05-03T09:00:00Z', 'hotline.hours')],
      [{ exchangeId: 'x', at: '', chatKey: 'web:a', value: 'up', intent: 'hotline.what_is' }],
      [fact('hotline.a', '2024-05-01'), fact('hotline.b', '2024-06-01'), fact('hotline.c')],
      new Date('2024-05-03T12:00:00Z'),
      3,
    );
    expect(stats.perDay).toEqual([
      { day: '2024-05-01', count: 0, fallback: 0 },
      { day: '2024-05-02', count: 1, fallback: 0 },
      { day: '2024-05-03', count: 2, fallback: 1 },
    ]);
    expect(stats.topics).toEqual([{ topic: 'hotline', count: 2 }, { topic: 'none', count: 1 }]);
    expect(stats.fallbackRate).toBeCloseTo(1 / 3);
    expect(stats.feedback).toEqual({ up: 1, down: 0, upRate: 1, downRate: 0 });
    expect(stats.overdueFacts.map((overdue) => overdue.id)).toEqual(['hotline.a']);
  });
});
