import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/nlp/rules.ts';
import type { Intent } from '../../src/knowledge/schema.ts';

const intent = (name: string, priority: 'normal' | 'override', keywords: string[], patterns: string[] = []): Intent => ({
  name, priority, keywords, patterns, description: 'x', question: 'x', examples: [], answer: { facts: [] }, followups: [],
});

describe('rules', () => {
  const rules = compileRules([
    intent('legal_aid.how_to_apply', 'normal', ['申请法律援助']),
    intent('emergency.domestic_violence', 'override', ['家暴'], ['(老公|丈夫).{0,4}打我']),
    intent('handoff.human', 'override', ['转人工']),
  ]);

  it.each([
    ['我老公正在打我', 'emergency.domestic_violence'],
    ['被家暴了', 'emergency.domestic_violence'],
    ['转人工', 'handoff.human'],
    ['我想申请法律援助', 'legal_aid.how_to_apply'],
  ])('%s → %s', (text, expected) => {
    expect(rules.match(text)[0]?.intent).toBe(expected);
  });

  it('puts an override first even when a normal keyword is longer', () => {
    const hits = rules.match('被家暴了想申请法律援助');
    expect(hits.map((h) => h.intent)).toEqual(['emergency.domestic_violence', 'legal_aid.how_to_apply']);
  });

  it('does not fire on unrelated text', () => {
    expect(rules.match('打官司要多少钱')).toEqual([]);
  });
});
