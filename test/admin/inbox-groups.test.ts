import { describe, expect, it } from 'vitest';
import { bigrams, groupSimilar, inboxItems, jaccard, summarise, type InboxGroup, type InboxItem } from '../../src/admin/inbox.ts';
import { createInboxIndex } from '../../src/admin/inbox-index.ts';
import type { Exchange, Feedback, InboxStatus } from '../../src/admin/ports.ts';

/** The grouping as it was before the inverted index (compares each item with every group): the reference. */
function referenceGroupSimilar(items: readonly InboxItem[], minSimilarity = 0.4): InboxGroup[] {
  const groups: { leader: Set<string>; items: InboxItem[] }[] = [];
  for (const item of items) {
    const grams = bigrams(item.text);
    const home = groups.find((group) => group.items[0]?.status === item.status && jaccard(group.leader, grams) >= minSimilarity);
    if (home) home.items.push(item);
    else groups.push({ leader: grams, items: [item] });
  }
  const latest = (group: InboxGroup) => group.items[group.items.length - 1]?.at ?? '';
  return groups.map(({ items: members }) => summarise(members)).sort((a, b) => b.size - a.size || latest(b).localeCompare(latest(a)));
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]! };
}

const WORDS = ['邻居', '装修', '太吵', '找谁', '管', '工资', '拖欠', '怎么办', '狗', '咬人', '离婚', '财产', '分割', '法律援助', '申请', '热线', '电话', '多少', '赔偿', '？', '！', ' ', '了', '吗'];
const STATUSES: InboxStatus[] = ['new', 'done', 'ignored'];

/** `ties`: some timestamps repeat, as concurrent requests do; otherwise some arrive out of time order. */
function corpus(seed: number, count: number, ties: boolean) {
  const rnd = random(seed);
  const exchanges: Exchange[] = [];
  for (let n = 0; n < count; n += 1) {
    const text = Array.from({ length: 1 + rnd.int(6) }, () => rnd.pick(WORDS)).join('');
    const roll = rnd.next();
    const intent = roll < 0.5 ? 'none' : 'hotline.what_is';
    exchanges.push({
      id: `x${seed}-${n}`,
      at: new Date(Date.UTC(2024, 4, 1) + n * 1000 - (ties ? rnd.int(2) * 1000 : rnd.int(2) * 1500)).toISOString(),
      channel: 'web',
      chatKey: `web:${rnd.int(5)}`,
      text,
      intent,
      topic: intent.split('.')[0]!,
      confidence: roll < 0.8 ? 0.2 : 0.9,
      kind: 'answer',
      decidedBy: intent === 'none' ? 'fallback' : 'classifier',
      reply: '…',
    });
  }
  return { exchanges, rnd };
}

describe('grouping with the inverted index', () => {
  it.each([
    [1, 0.4],
    [2, 0.4],
    [3, 0.2],
    [4, 0.7],
    [5, 1],
    [6, 0],
  ])('equals the one-by-one greedy grouping on random messages (seed %i, similarity %s)', (seed, minSimilarity) => {
    const { exchanges, rnd } = corpus(seed, 400, true);
    const statuses = Object.fromEntries(exchanges.filter(() => rnd.next() < 0.3).map((exchange) => [exchange.id, rnd.pick(STATUSES)]));
    const feedback: Feedback[] = exchanges
      .filter(() => rnd.next() < 0.1)
      .map((exchange) => ({ exchangeId: exchange.id, at: exchange.at, chatKey: exchange.chatKey, value: 'down', intent: exchange.intent }));
    const items = inboxItems(exchanges, feedback, statuses, 0.35);
    expect(groupSimilar(items, minSimilarity)).toEqual(referenceGroupSimilar(items, minSimilarity));
  });
});

describe('the inbox kept between visits', () => {
  /** What the inbox should show for this status: everything grouped from scratch. */
  const fromScratch = (exchanges: Exchange[], disliked: Set<string>, statuses: Record<string, InboxStatus>, status: InboxStatus) => {
    const feedback = [...disliked].map((exchangeId): Feedback => ({ exchangeId, at: '', chatKey: '', value: 'down', intent: '' }));
    return referenceGroupSimilar(inboxItems(exchanges, feedback, statuses, 0.35).filter((item) => item.status === status));
  };

  it.each([11, 12, 13, 14])('matches grouping from scratch after every change of a random history (seed %i)', (seed) => {
    const { exchanges: all, rnd } = corpus(seed, 300, false);
    const index = createInboxIndex({ threshold: 0.35 });
    const stored: Exchange[] = [];
    const disliked = new Set<string>();
    let statuses: Record<string, InboxStatus> = {};
    let arrived = 0;
    for (let step = 0; step < 60; step += 1) {
      const action = rnd.int(5);
      if (action <= 1 && arrived < all.length) {
        // New messages: each batch is what `exchanges({ since })` returns, some seen before.
        const batch = all.slice(arrived, arrived + 1 + rnd.int(20));
        arrived += batch.length;
        stored.push(...batch);
        index.add([...stored.slice(-25)]);
      } else if (action === 2 && stored.length > 0) {
        const id = rnd.pick(stored).id;
        if (disliked.has(id)) disliked.delete(id);
        else disliked.add(id);
        const unknown = index.setDisliked(new Set(disliked));
        index.add(stored.filter((exchange) => unknown.includes(exchange.id)));
      } else if (action === 3 && stored.length > 0) {
        // An admin marks a whole group, or a few single messages.
        const status = rnd.pick(STATUSES);
        const shown = index.page({ status: rnd.pick(STATUSES), page: 1, size: 1000 }).groups;
        const ids = rnd.next() < 0.5 && shown.length > 0 ? rnd.pick(shown).items.map((item) => item.exchangeId) : [rnd.pick(stored).id];
        statuses = { ...statuses, ...Object.fromEntries(ids.map((id) => [id, status])) };
        index.setStatuses(statuses);
      } else if (action === 4 && stored.length > 0) {
        // A citizen asks to be forgotten: their exchanges leave the store.
        const chatKey = rnd.pick(stored).chatKey;
        const gone = stored.filter((exchange) => exchange.chatKey === chatKey).map((exchange) => exchange.id);
        stored.splice(0, stored.length, ...stored.filter((exchange) => exchange.chatKey !== chatKey));
        index.remove(gone);
      }
      for (const status of STATUSES) {
        const page = index.page({ status, page: 1, size: 1000 });
        expect(page.groups, `step ${step}, ${status}`).toEqual(fromScratch(stored, disliked, statuses, status));
      }
    }
  });
});
