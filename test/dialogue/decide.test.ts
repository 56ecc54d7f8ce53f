import { describe, expect, it } from 'vitest';
import { decide, type DecideContext } from '../../src/dialogue/decide.ts';
import type { DialogueState } from '../../src/dialogue/types.ts';
import { indexKnowledge } from '../../src/knowledge/facts.ts';
import type { Intent, KnowledgeBase } from '../../src/knowledge/schema.ts';
import type { Understanding } from '../../src/nlp/understand.ts';

const intent = (name: string): Intent => ({
  name, description: 'x', question: `${name}?`, priority: 'normal', keywords: [], patterns: [],
  examples: [], answer: { facts: [], missing: 'x' }, followups: [],
});
const kb: KnowledgeBase = {
  intents: ['legal_aid.how_to_apply', 'legal_aid.materials', 'mediation.what_is', 'mediation.where'].map(intent),
  facts: [], sources: [], homophones: {}, dictionary: [], flows: [],
  aspects: { materials: ['材料'], where: ['在哪', '哪里'] },
};
const ctx: DecideContext = { index: indexKnowledge(kb), aspects: kb.aspects, flows: [] };

function understanding(text: string, intentName: string, extra: Partial<Understanding> = {}): Understanding {
  return {
    normalized: { text, originalLength: text.length, truncated: false, empty: false, emojiOnly: false, binary: false },
    tokens: [], ruleHits: [], ranked: [], coverage: 1, intent: intentName, confidence: 0.5,
    decidedBy: intentName === 'none' ? 'fallback' : 'classifier', otherIntents: [], danger: { level: 'none', reason: '' }, ...extra,
  };
}
const state = (lastTopic: string, extra: Partial<DialogueState> = {}): DialogueState => ({
  lastTopic, lastIntent: `${lastTopic}.x`, turns: 1, history: [], updatedAt: new Date().toISOString(), ...extra,
});

describe('decide', () => {
  it.each([
    ['那要带什么材料？', 'mediation.what_is', 'legal_aid', 'legal_aid.materials'],
    ['在哪里办', 'legal_aid.how_to_apply', 'mediation', 'mediation.where'],
    ['在哪里办', 'none', 'mediation', 'mediation.where'],
  ])('%s (classifier: %s) after %s → %s by context', (text, classified, lastTopic, expected) => {
    const decision = decide(understanding(text, classified), state(lastTopic), ctx);
    expect(decision).toMatchObject({ kind: 'answer', intent: expected, by: 'context' });
  });

  it('does not apply context to a long message that names its own matter', () => {
    const text = '我想问一下人民调解委员会一般都设在哪里比较方便找到呢';
    const decision = decide(understanding(text, 'mediation.where'), state('legal_aid'), ctx);
    expect(decision).toMatchObject({ kind: 'answer', intent: 'mediation.where', by: 'classifier' });
  });

  it('puts an emergency before everything else, even inside a pending choice', () => {
    const u = understanding('1', 'emergency.danger', { decidedBy: 'emergency' });
    expect(decide(u, state('legal_aid', { pendingOptions: ['legal_aid.materials'] }), ctx).kind).toBe('emergency');
  });

  it('picks an option of an ambiguous question by its number', () => {
    const decision = decide(understanding('2', 'none'), state('legal_aid', { pendingOptions: ['legal_aid.how_to_apply', 'mediation.where'] }), ctx);
    expect(decision).toMatchObject({ kind: 'answer', intent: 'mediation.where' });
  });

  it('asks which one when the top two are too close', () => {
    const decision = decide(understanding('调解', 'mediation.what_is', { ambiguousWith: 'mediation.where' }), undefined, ctx);
    expect(decision).toMatchObject({ kind: 'ambiguous', options: ['mediation.what_is', 'mediation.where'] });
  });

  it('turns "none" into a clarifying question', () => {
    expect(decide(understanding('啥', 'none'), undefined, ctx).kind).toBe('clarify');
  });

  it('offers weak leads as "did you mean", never an emergency or out-of-scope one', () => {
    const u = understanding('证明怎么开', 'none', {
      ranked: [
        { intent: 'emergency.danger', score: 0.25 },
        { intent: 'legal_aid.materials', score: 0.2 },
        { intent: 'out_of_scope.any', score: 0.15 },
        { intent: 'mediation.where', score: 0.12 },
        { intent: 'mediation.what_is', score: 0.05 },
      ],
    });
    expect(decide(u, undefined, ctx)).toEqual({ kind: 'clarify', confidence: 0.5, guesses: ['legal_aid.materials', 'mediation.where'] });
  });
});

describe('context does not override a message that names its own matter', () => {
  it.each([
    ['赣服通是什么', 'legal_aid'],
    ['调解要带什么材料', 'legal_aid'],
  ])('%s after %s is left to the classifier', (text, lastTopic) => {
    const decision = decide(understanding(text, 'mediation.what_is'), state(lastTopic), ctx);
    expect(decision).toMatchObject({ kind: 'answer', intent: 'mediation.what_is', by: 'classifier' });
  });

  it.each([
    ['那要带什么材料？', 'legal_aid', { kind: 'answer', intent: 'legal_aid.materials', by: 'context' }],
    ['那在哪里呢', 'mediation', { kind: 'answer', intent: 'mediation.where', by: 'context' }],
    // The previous topic has no such aspect: ask, do not invent one.
    ['那在哪里呢', 'legal_aid', { kind: 'clarify' }],
  ])('%s after %s', (text, lastTopic, expected) => {
    expect(decide(understanding(text, 'none'), state(lastTopic), ctx)).toMatchObject(expected);
  });
});
