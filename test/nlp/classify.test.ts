import { describe, expect, it } from 'vitest';
import type { ClassifierDesign } from '../../src/nlp/classify.ts';
import { trainAnyDesign } from '../../src/nlp/classify-natural.ts';
import { features } from '../../src/nlp/segment.ts';

const examples = [
  { intent: 'ganfutong.what_is', tokens: ['赣服通', '是', '什么'] },
  { intent: 'ganfutong.what_is', tokens: ['赣服通', '干嘛', '用'] },
  { intent: 'legal_aid.how_to_apply', tokens: ['法律援助', '怎么', '申请'] },
  { intent: 'legal_aid.how_to_apply', tokens: ['申请', '法律援助', '流程'] },
  { intent: 'mediation.what_is', tokens: ['人民调解', '是', '什么'] },
  { intent: 'mediation.what_is', tokens: ['调解', '收费', '吗'] },
].map((e) => ({ intent: e.intent, features: features(e.tokens) }));

describe.each<ClassifierDesign>(['bayes', 'tfidf', 'logreg'])('classifier %s', (design) => {
  const classifier = trainAnyDesign(examples, design, {});

  it('ranks the matching intent first with a probability-like score', () => {
    const { ranked } = classifier.rank(features(['法律援助', '如何', '申请']));
    expect(ranked[0]?.intent).toBe('legal_aid.how_to_apply');
    expect(ranked.reduce((sum, r) => sum + r.score, 0)).toBeCloseTo(1, 5);
  });

  it('reports zero coverage for words it has never seen', () => {
    const { coverage } = classifier.rank(features(['天气', '晴朗']));
    expect(coverage).toBe(0);
  });

  it('does not underflow on a very long message', () => {
    const long = Array.from({ length: 400 }, (_, i) => (i % 2 ? '法律援助' : `词${i}`));
    const { ranked } = classifier.rank(features([...long, '申请']));
    expect(Number.isFinite(ranked[0]?.score)).toBe(true);
    expect(ranked[0]?.intent).toBe('legal_aid.how_to_apply');
  });
});
