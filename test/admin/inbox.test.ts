import { describe, expect, it } from 'vitest';
import { bigrams, groupSimilar, inboxItems, jaccard } from '../../src/admin/inbox.ts';
import type { Exchange } from '../../src/admin/ports.ts';

let next = 0;
const exchange = (text: string, intent = 'none', confidence = 0, extra: Partial<Exchange> = {}): Exchange => ({
  id: `x${++next}`,
  at: `2024-05-01T10:00:${String(next).padStart(2, '0')}Z`,
  channel: 'web',
  chatKey: 'web:a',
  text,
  intent,
  topic: intent.split('.')[0] ?? 'none',
  confidence,
  kind: intent === 'none' ? 'clarify' : 'answer',
  decidedBy: intent === 'none' ? 'fallback' : 'classifier',
  reply: '…',
  ...extra,
});

describe('review inbox', () => {
  it('keeps misses, low-confidence answers and 👎, and nothing else', () => {
    const miss = exchange('狗咬人了怎么办');
    const low = exchange('低分回答', 'hotline.what_is', 0.2);
    const good = exchange('高分回答', 'hotline.what_is', 0.9);
    const disliked = exchange('答非所问', 'legal_aid.where', 0.9);
    const items = inboxItems([miss, low, good, disliked], [{ exchangeId: disliked.id, at: '', chatKey: 'web:a', value: 'down', intent: 'legal_aid.where' }], {}, 0.35);
    expect(items.map((item) => [item.text, item.reasons])).toEqual([
      ['狗咬人了怎么办', ['none']],
      ['低分回答', ['low']],
      ['答非所问', ['down']],
    ]);
  });

  it('groups similar texts, biggest group first', () => {
    const texts = ['邻居装修太吵找谁管', '邻居装修太吵了找谁', '楼上邻居装修太吵找谁管', '工资被拖欠怎么办', '狗咬人了'];
    const items = inboxItems(texts.map((text) => exchange(text)), [], {}, 0.35);
    const groups = groupSimilar(items);
    expect(groups.map((group) => group.size)).toEqual([3, 1, 1]);
    expect(groups[0]!.text).toBe('邻居装修太吵找谁管');
  });

  it('does not mix done messages into a new group', () => {
    const [a, b] = [exchange('邻居装修太吵找谁管'), exchange('邻居装修太吵找谁管啊')];
    const groups = groupSimilar(inboxItems([a, b], [], { [a.id]: 'done' }, 0.35));
    expect(groups.map((group) => group.status).sort()).toEqual(['done', 'new']);
  });

  it.each([
    ['一模一样', '一模一样', 1],
    ['完全不同', '毫无关系', 0],
  ])('bigram similarity of %s and %s is %s', (a, b, expected) => {
    expect(jaccard(bigrams(a), bigrams(b))).toBe(expected);
  });
});
