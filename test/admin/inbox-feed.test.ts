import { describe, expect, it } from 'vitest';
import { createInboxFeed } from '../../src/admin/inbox-feed.ts';
import type { Exchange } from '../../src/admin/ports.ts';
import { createMemoryStore } from '../fakes/memory-store.ts';

const DAY = 86_400_000;

function setup() {
  const store = createMemoryStore();
  let now = Date.parse('2024-05-31T12:00:00Z');
  const feed = createInboxFeed({ store, threshold: 0.35, now: () => new Date(now), chunkSize: 3 });
  const record = (text: string, at: number, extra: Partial<Exchange> = {}) =>
    store.recordExchange({
      at: new Date(at).toISOString(),
      channel: 'web',
      chatKey: 'web:a',
      text,
      intent: 'none',
      topic: 'none',
      confidence: 0,
      kind: 'clarify',
      decidedBy: 'fallback',
      reply: '…',
      ...extra,
    });
  const texts = async () => (await feed.view({ status: 'new', page: 1, size: 100 })).groups.flatMap((group) => group.items.map((item) => item.text));
  return { store, feed, record, texts, at: () => now, advance: (ms: number) => (now += ms) };
}

describe('inbox feed', () => {
  it('shows a message stamped before the newest one it has seen but stored after it', async () => {
    const { record, texts, at } = setup();
    await record('工资被拖欠怎么办', at() - 1000);
    expect(await texts()).toEqual(['工资被拖欠怎么办']);
    // A slow request: stamped when it started, stored after a later one was shown.
    await record('狗咬人了找谁赔', at() - 60_000);
    expect((await texts()).sort()).toEqual(['工资被拖欠怎么办', '狗咬人了找谁赔'].sort());
  });

  it('looks back 60 whole days, and lets older messages go as the days pass', async () => {
    const { record, texts, at, advance } = setup();
    await record('六十多天前的问题', at() - 61 * DAY);
    await record('五十九天前的问题', at() - 59 * DAY);
    await record('今天的问题', at() - 1000);
    expect((await texts()).sort()).toEqual(['五十九天前的问题', '今天的问题'].sort());
    advance(2 * DAY);
    expect(await texts()).toEqual(['今天的问题']);
  });

  it('shows each message once when two admins open the inbox at the same time', async () => {
    const { record, feed, at } = setup();
    for (let n = 0; n < 10; n += 1) await record(`第${n}个完全不同的问题${'甲乙丙丁戊己庚辛壬癸'[n]}`, at() - 10_000 + n);
    const [one, two] = await Promise.all([feed.view({ status: 'new', page: 1, size: 50 }), feed.view({ status: 'new', page: 1, size: 50 })]);
    expect(one.counts.new).toBe(10);
    expect(two.counts.new).toBe(10);
  });

  it('recovers on the next visit when reading the store fails', async () => {
    const { store, record, texts, at } = setup();
    await record('法律援助怎么申请', at() - 1000);
    const read = store.exchanges;
    store.exchanges = async () => {
      throw new Error('disk unreadable');
    };
    await expect(texts()).rejects.toThrow('disk unreadable');
    store.exchanges = read;
    expect(await texts()).toEqual(['法律援助怎么申请']);
  });
});
