import { describe, expect, it } from 'vitest';
import { createDrafts } from '../../src/admin/drafts.ts';
import { ConflictError, ValidationError } from '../../src/admin/errors.ts';
import type { Intent, KnowledgeBase } from '../../src/knowledge/schema.ts';
import { hotlineFact, tinyKnowledge } from '../support/tiny-kb.ts';

const intent: Intent = {
  name: 'hotline.what_is',
  description: '12348是什么',
  question: '12348是什么电话？',
  priority: 'normal',
  keywords: [],
  patterns: [],
  examples: Array.from({ length: 12 }, (_, index) => `热线是什么${index}`),
  answer: { facts: ['hotline.what_is'] },
  followups: [],
};
const fact = hotlineFact;
const live: KnowledgeBase = tinyKnowledge([intent]);

const drafts = () => createDrafts({ live: () => live, now: () => new Date('2024-05-01T00:00:00Z') });

describe('console draft', () => {
  it('follows the live knowledge until the first edit, and collects the edits', async () => {
    const draft = await drafts();
    expect(draft.view().dirty).toBe(false);
    const { revision } = draft.view().facts[0]!;
    await draft.saveFact(fact.id, { ...fact, text: '12348是公共法律服务热线电话。' }, revision, 'alice');
    expect(draft.view().changes).toEqual([{ kind: 'fact', id: fact.id, action: 'edit', by: 'alice', at: '2024-05-01T00:00:00.000Z' }]);
    expect(draft.kb().facts[0]!.updatedBy).toBe('alice');
    expect(live.facts[0]!.text).toBe('12348是公共法律服务热线。'); // live untouched
  });

  it('lets only one of two simultaneous saves from the same revision through', async () => {
    const draft = await drafts();
    const { revision } = draft.view().intents[0]!;
    const results = await Promise.allSettled([
      draft.saveIntent(intent.name, { ...intent, description: '甲改的' }, revision, 'alice'),
      draft.saveIntent(intent.name, { ...intent, description: '乙改的' }, revision, 'bob'),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(draft.kb().intents[0]!.description).toBe('甲改的');
  });

  it('refuses a fact still used by an intent, and a figure missing from the text', async () => {
    const draft = await drafts();
    const { revision } = draft.view().facts[0]!;
    await expect(draft.deleteFact(fact.id, revision, 'alice')).rejects.toBeInstanceOf(ValidationError);
    await expect(draft.saveFact(fact.id, { ...fact, figures: ['999'] }, revision, 'alice')).rejects.toBeInstanceOf(ValidationError);
  });

  it('adds an inbox example without a revision, once', async () => {
    const draft = await drafts();
    await draft.addExample(intent.name, '那个热线号码干嘛的', 'alice');
    await draft.addExample(intent.name, '那个热线号码干嘛的', 'alice');
    expect(draft.kb().intents[0]!.examples.filter((text) => text === '那个热线号码干嘛的')).toHaveLength(1);
  });
});
