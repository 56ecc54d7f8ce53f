import { describe, expect, it } from 'vitest';
import { isCorrect, parseQuestions, runBatch } from '../../src/admin/bench.ts';
import type { Reply } from '../../src/dialogue/types.ts';
import { computeMetrics } from '../../src/evaluation/metrics.ts';

describe('metrics', () => {
  it('counts none as a correct answer for out-of-scope and computes precision/recall', () => {
    const m = computeMetrics([
      { expectedTopic: 'out_of_scope', predictedTopic: 'none', predictedIntent: 'none' },
      { expectedTopic: 'legal_aid', predictedTopic: 'none', predictedIntent: 'none' },
      { expectedTopic: 'legal_aid', predictedTopic: 'legal_aid', expectedIntent: 'legal_aid.cost', predictedIntent: 'legal_aid.scope' },
      { expectedTopic: 'mediation', predictedTopic: 'mediation', predictedIntent: 'mediation.cost' },
    ]);
    expect(m.topicAccuracy).toBe(0.75);
    expect(m.intentAccuracy).toBe(0);
    expect(m.outOfScope).toEqual({ precision: 0.5, recall: 1 });
    expect(m.confusions).toEqual([{ expected: 'legal_aid', predicted: 'out_of_scope', count: 1 }]);
  });

  it('judges an expected topic or intent, and accepts none for out-of-scope', () => {
    const reply = (intent: string, topic: string) => ({ intent, topic, text: '' });
    expect(isCorrect({ id: '1', text: 'x', topic: 'legal_aid' }, reply('legal_aid.cost', 'legal_aid'))).toBe(true);
    expect(isCorrect({ id: '1', text: 'x', intent: 'legal_aid.scope' }, reply('legal_aid.cost', 'legal_aid'))).toBe(false);
    expect(isCorrect({ id: '1', text: 'x', topic: 'out_of_scope' }, reply('none', 'none'))).toBe(true);
    expect(isCorrect({ id: '1', text: 'x' }, reply('none', 'none'))).toBeUndefined();
  });

  it('scores a batch per topic and lists the misses', () => {
    const answer = (text: string): Reply => ({
      kind: 'answer', intent: text.includes('援助') ? 'legal_aid.cost' : 'none', topic: text.includes('援助') ? 'legal_aid' : 'none',
      confidence: 0.5, text: '免费', sources: [], suggestions: [], choices: [],
    });
    const engine = {
      respond: (input: { kind: string; text?: string }) => ({
        reply: answer(input.text ?? ''),
        state: { turns: 1, history: [], updatedAt: '' },
        trace: { normalized: '', tokens: [], ranked: [], threshold: 0, decidedBy: 'classifier' as const, otherIntents: [], facts: [] },
      }),
    };
    const report = runBatch(engine, [
      { id: '1', text: '法律援助收费吗', topic: 'legal_aid', mustContain: ['免费'] },
      { id: '2', text: '调解收费吗', topic: 'mediation' },
      { id: '3', text: '天气', topic: 'out_of_scope' },
      { id: '4', text: '没有预期' },
    ]);
    expect(report.scored).toBe(3);
    expect(report.correct).toBe(2);
    expect(report.misses.map((m) => m.id)).toEqual(['2']);
    expect(report.byTopic.find((t) => t.topic === 'mediation')).toMatchObject({ total: 1, correct: 0 });
  });
});

describe('question files', () => {
  it('reads CSV with quotes, commas, ids and an expected topic or intent column', () => {
    const csv = ['id,text,expected', '1,"工资, 没发怎么办",triage', '2,"说""你好""",chitchat.greet', '3,,x', ''].join('\n');
    const { questions, problems } = parseQuestions(csv, 'q.csv');
    expect(questions).toEqual([
      { id: '1', text: '工资, 没发怎么办', topic: 'triage', intent: undefined },
      { id: '2', text: '说"你好"', topic: undefined, intent: 'chitchat.greet' },
    ]);
    expect(problems).toEqual(['第 4 行：问题为空']);
  });

  it('reads JSON lines and reports a bad line without stopping', () => {
    const jsonl = ['{"id":"a","text":"你好","topic":"chitchat"}', 'not json', '{"id":"b","text":"x"}'].join('\n');
    const { questions, problems } = parseQuestions(jsonl, 'q.jsonl');
    expect(questions.map((q) => q.id)).toEqual(['a', 'b']);
    expect(questions[0]?.topic).toBe('chitchat');
    expect(problems[0]).toMatch(/^第 2 行/);
  });
});
