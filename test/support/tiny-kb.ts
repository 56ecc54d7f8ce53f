import type { Fact, Intent, KnowledgeBase } from '../../src/knowledge/schema.ts';

/** The smallest knowledge a console use case can work on: one fact with its source. */
export const hotlineFact: Fact = {
  id: 'hotline.what_is',
  topic: 'hotline',
  text: '12348是公共法律服务热线。',
  figures: ['12348'],
  source: { id: 'S0', section: '一' },
  scope: 'general',
  asOf: '2020-12-31',
};

export function tinyKnowledge(intents: Intent[] = []): KnowledgeBase {
  return {
    intents,
    facts: [hotlineFact],
    sources: [{ id: 'S0', title: '报告', kind: 'city_report' }],
    homophones: {},
    aspects: {},
    dictionary: [],
    flows: [],
  };
}
