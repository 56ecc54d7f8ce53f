import { describe, expect, it } from 'vitest';
import { createLabels, topicFromName } from '../../src/knowledge/labels.ts';

const labels = createLabels([
  { name: 'legal_aid.how_to_apply', question: '法律援助怎么申请？', description: '如何申请法律援助' },
  { name: 'hotline.hours', question: ' ', description: '12348 的工作时间' },
  { name: 'mediation.what_is' },
]);

describe('Chinese names for topics and intents', () => {
  it.each([
    ['topic', 'legal_aid', '法律援助'],
    ['topic', 'none', '未理解'],
    ['topic', 'legal_aide', 'legal_aide'], // a typo stays visible as it is
    ['intent', 'legal_aid.how_to_apply', '法律援助怎么申请？'],
    ['intent', 'hotline.hours', '12348 的工作时间'], // blank question: the description
    ['intent', 'mediation.what_is', 'mediation.what_is'], // nothing Chinese to show
    ['intent', 'none', '未理解'],
  ] as const)('%s %s → %s', (kind, id, name) => {
    expect(kind === 'topic' ? labels.topic(id) : labels.intent(id)).toBe(name);
  });

  it.each([
    ['legal_aid', '法律援助（legal_aid）'],
    ['legal_aid.how_to_apply', '法律援助怎么申请？（legal_aid.how_to_apply）'],
    ['out_of_scope', '超出服务范围（out_of_scope）'],
    ['nonsense', 'nonsense'],
    ['legal_aid.unknown', 'legal_aid.unknown'],
  ])('writes %s for plain text as %s', (id, text) => {
    expect(labels.expectedWithId(id)).toBe(text);
  });

  it('knows which ids exist, including none', () => {
    expect([labels.isTopic('ganfutong'), labels.isTopic('ganfutong.what_is'), labels.isIntent('mediation.what_is'), labels.isIntent('none'), labels.isIntent('legal_aid.nope')]).toEqual([
      true,
      false,
      true,
      true,
      false,
    ]);
  });

  it('gives the pages one map per kind', () => {
    const maps = labels.maps();
    expect(maps.topics.ganfutong).toBe('赣服通');
    expect(maps.intents['legal_aid.how_to_apply']).toBe('法律援助怎么申请？');
    expect(maps.intents['mediation.what_is']).toBeUndefined();
  });

  it.each([
    ['legal_aid', 'legal_aid'],
    ['法律援助', 'legal_aid'],
    [' 赣服通 ', 'ganfutong'],
    ['法援', undefined],
  ])('reads the topic a staff member typed: %s', (typed, topic) => {
    expect(topicFromName(typed)).toBe(topic);
  });
});
