import { describe, expect, it } from 'vitest';
import { parseQuestionFile, isCorrect } from '../../src/evaluation/batch.ts';
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

  it('judges an expected topic or intent', () => {
    expect(isCorrect('legal_aid', 'legal_aid.cost', 'legal_aid')).toBe(true);
    expect(isCorrect('legal_aid.scope', 'legal_aid.cost', 'legal_aid')).toBe(false);
    expect(isCorrect('out_of_scope', 'none', 'none')).toBe(true);
  });
});

describe('question files', () => {
  it('reads CSV with quotes, commas and an optional expected column', () => {
    const { rows, errors } = parseQuestionFile('id,text,expected\n1,"工资, 没发怎么办",triage\n2,"说""你好""",\n3,,x\n', 'q.csv');
    expect(rows).toEqual([
      { id: '1', text: '工资, 没发怎么办', expected: 'triage' },
      { id: '2', text: '说"你好"' },
    ]);
    expect(errors).toEqual(['q.csv:4 — text 为空']);
  });

  it('reads JSON lines and reports a bad line without stopping', () => {
    const { rows, errors } = parseQuestionFile('{"id":"a","text":"你好","topic":"chitchat"}\nnot json\n{"id":"b","text":"x"}', 'q.jsonl');
    expect(rows.map((r) => r.id)).toEqual(['a', 'b']);
    expect(rows[0]?.expected).toBe('chitchat');
    expect(errors[0]).toMatch(/^q\.jsonl:2 — /);
  });

  it('says a CSV without a text column is unusable', () => {
    expect(parseQuestionFile('question\nhi', 'q.csv').errors[0]).toContain('text');
  });
});
