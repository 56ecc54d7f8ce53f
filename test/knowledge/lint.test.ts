import { beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledgeFromDisk } from '../../src/adapters/knowledge-files.ts';
import { lintKnowledge } from '../../src/knowledge/lint.ts';
import type { KnowledgeBase } from '../../src/knowledge/schema.ts';
import { createNormalizer } from '../../src/nlp/normalize.ts';

let kb: KnowledgeBase;
beforeAll(async () => {
  kb = (await loadKnowledgeFromDisk({ intentsDir: 'test/fixtures/kb/intents', dataDir: 'test/fixtures/kb/data' })).kb as KnowledgeBase;
});
const codes = (base: KnowledgeBase, options = {}) => lintKnowledge(base, options).map((i) => i.code);

describe('lint', () => {
  it('passes the fixture with only the unused-fact warning', () => {
    expect(codes(kb)).toEqual(['W_UNUSED_FACT']);
  });

  it('reports an example filed under two intents, after normalisation', () => {
    const normalize = createNormalizer(kb.homophones);
    const intents = kb.intents.map((i) =>
      i.name === 'legal_aid.materials' ? { ...i, examples: [...i.examples, '法律缘助怎么申请'] } : i,
    );
    const issues = lintKnowledge({ ...kb, intents }, { normalize: (t: string) => normalize(t).text });
    const duplicate = issues.find((i) => i.code === 'E_DUPLICATE_EXAMPLE');
    expect(duplicate?.message).toContain('legal_aid.how_to_apply');
    expect(duplicate?.file).toBe('intents/legal_aid.yaml');
  });

  it('refuses a phone number or URL a fact should never state', () => {
    const facts = kb.facts.map((f) => (f.id === 'mediation.free' ? { ...f, text: '电话0798-6822345，详见www.example.cn' } : f));
    expect(codes({ ...kb, facts })).toEqual(expect.arrayContaining(['E_UNLISTED_NUMBER', 'E_URL']));
  });

  it('refuses a figure that is not in the text, an unknown source and a dangling follow-up', () => {
    const facts = kb.facts.map((f) =>
      f.id === 'mediation.free' ? { ...f, figures: ['999'], source: { id: 'NOPE', section: 'x' } } : f,
    );
    const intents = kb.intents.map((i) => (i.name === 'mediation.what_is' ? { ...i, followups: ['mediation.nope'] } : i));
    expect(codes({ ...kb, facts, intents })).toEqual(
      expect.arrayContaining(['E_FIGURE_NOT_IN_TEXT', 'E_UNKNOWN_SOURCE', 'E_UNKNOWN_FOLLOWUP']),
    );
  });

  it('reports an example equal to an evaluation question, and one that differs by a word or two', () => {
    const issues = lintKnowledge(kb, {
      evalTexts: [
        { text: '人民调解是什么？', where: 'eval/x.jsonl:1' },
        { text: '我们村里的调解委员会在哪里', where: 'eval/x.jsonl:2' },
        { text: '村里吵架了找谁说理', where: 'eval/x.jsonl:3' },
      ],
      leakSeverity: 'error',
    });
    const leaks = issues.filter((issue) => issue.code.startsWith('E_EVAL'));
    expect(leaks.map((issue) => issue.code)).toEqual(['E_EVAL_LEAK', 'E_EVAL_NEAR_DUPLICATE']);
    expect(leaks[0]?.message).toContain('eval/x.jsonl:1');
    expect(leaks[0]?.file).toBe('intents/mediation.yaml');
  });
});
