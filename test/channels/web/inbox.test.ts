import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/admin/ports.ts';
import { createAppFixture } from '../../e2e/web/app-fixture.ts';

let fixture: Awaited<ReturnType<typeof createAppFixture>>;
let admin: Record<string, string>;

beforeAll(async () => {
  fixture = await createAppFixture();
  admin = await fixture.login('admin', 'admin-Orchid-7421');
});
afterAll(() => fixture?.cleanup());

interface GroupView {
  id: string;
  text: string;
  size: number;
  reasons: string[];
  items: { exchangeId: string; text: string }[];
}
interface InboxView {
  status: string;
  counts: { new: number; done: number; ignored: number };
  groups: GroupView[];
  page: number;
  pages: number;
  size: number;
  totalGroups: number;
}

const inbox = async (query = '') => {
  const response = await fixture.request(`/api/admin/inbox${query}`, { headers: admin });
  return { status: response.status, body: (await response.json()) as InboxView };
};
const post = (path: string, body: unknown) => fixture.request(`/api/admin/inbox${path}`, { method: 'POST', headers: admin, body: JSON.stringify(body) });

let clock = Date.now() - 60 * 60_000;
const record = (text: string, chatKey = 'web:a', extra: Partial<Exchange> = {}) =>
  fixture.store.recordExchange({
    at: new Date((clock += 1000)).toISOString(),
    channel: 'web',
    chatKey,
    text,
    intent: 'none',
    topic: 'none',
    confidence: 0,
    kind: 'clarify',
    decidedBy: 'fallback',
    reply: '…',
    ...extra,
  });

/** Six characters no other message shares a pair of: a message unlike every other. */
let nextChar = 0x4e00;
const distinct = () => Array.from({ length: 6 }, () => String.fromCodePoint(nextChar++)).join('');

describe('review inbox pages', () => {
  it('returns 50 groups a page by default, with the totals, and clamps a page past the end', async () => {
    for (let n = 0; n < 120; n += 1) await record(distinct(), `web:p${n % 7}`);
    const first = await inbox();
    expect(first.status).toBe(200);
    expect(first.body.groups).toHaveLength(50);
    expect(first.body).toMatchObject({ page: 1, pages: 3, size: 50, totalGroups: 120, counts: { new: 120, done: 0, ignored: 0 } });

    const last = await inbox('?page=3');
    expect(last.body.groups).toHaveLength(20);
    const seen = new Set([...first.body.groups, ...(await inbox('?page=2')).body.groups, ...last.body.groups].map((group) => group.id));
    expect(seen.size).toBe(120); // every group on exactly one page

    expect((await inbox('?page=99')).body.page).toBe(3);
    expect((await inbox('?size=10&page=2')).body).toMatchObject({ page: 2, pages: 12, size: 10 });
  });

  it('refuses a page or size that is not a positive whole number', async () => {
    for (const query of ['?page=0', '?page=abc', '?size=-5', '?status=gone']) {
      expect((await inbox(query)).status, query).toBe(400);
    }
  });
});

describe('review inbox between visits', () => {
  it('puts a new message into the group it resembles', async () => {
    const leader = await record('邻居装修太吵找谁管');
    await inbox();
    await record('邻居装修太吵了找谁管');
    const { body } = await inbox();
    const group = body.groups.find((candidate) => candidate.id === leader.id)!;
    expect(group.items.map((item) => item.text)).toEqual(['邻居装修太吵找谁管', '邻居装修太吵了找谁管']);
    expect(body.groups[0]!.id).toBe(leader.id); // now the biggest group, so first
  });

  it('moves a group marked done to the done tab, and back', async () => {
    const before = (await inbox()).body;
    const group = before.groups[0]!;
    expect((await post('/status', { exchangeIds: group.items.map((item) => item.exchangeId), status: 'done' })).status).toBe(200);
    const after = (await inbox()).body;
    expect(after.counts.new).toBe(before.counts.new - group.size);
    expect(after.groups.some((candidate) => candidate.id === group.id)).toBe(false);
    const done = (await inbox('?status=done')).body;
    expect(done.groups.map((candidate) => [candidate.id, candidate.size])).toEqual([[group.id, group.size]]);

    await post('/status', { exchangeIds: group.items.map((item) => item.exchangeId), status: 'new' });
    expect((await inbox()).body.groups[0]).toMatchObject({ id: group.id, size: group.size });
  });

  it('adds a 👎 answer to the inbox, and the reason to a message already there', async () => {
    const answered = await record('离婚后孩子抚养费怎么算', 'web:b', { intent: 'family.divorce', topic: 'family', confidence: 0.9, kind: 'answer', decidedBy: 'classifier' });
    const missed = await record(distinct(), 'web:b');
    expect((await inbox()).body.groups.some((group) => group.id === answered.id)).toBe(false);
    for (const exchange of [answered, missed]) {
      await fixture.store.recordFeedback({ exchangeId: exchange.id, at: exchange.at, chatKey: 'web:b', value: 'down', intent: exchange.intent });
    }
    const { body } = await inbox('?size=200');
    expect(body.groups.find((group) => group.id === answered.id)?.reasons).toEqual(['down']);
    expect(body.groups.find((group) => group.id === missed.id)?.reasons).toEqual(['none', 'down']);
  });

  it('drops the messages of a chat that asked to be forgotten', async () => {
    const gone = await record(distinct(), 'web:forget-me');
    const before = (await inbox('?size=200')).body;
    expect(before.groups.some((group) => group.id === gone.id)).toBe(true);
    await fixture.store.forget('web:forget-me');
    const after = (await inbox('?size=200')).body;
    expect(after.groups.some((group) => group.id === gone.id)).toBe(false);
    expect(after.counts.new).toBe(before.counts.new - 1);
  });

  it('still adds a message as an example and marks its group done', async () => {
    const exchange = await record('法律援助要带身份证吗');
    const group = (await inbox('?size=200')).body.groups.find((candidate) => candidate.id === exchange.id)!;
    const response = await post('/add-example', { exchangeIds: group.items.map((item) => item.exchangeId), intent: 'legal_aid.how_to_apply', text: group.text });
    expect(response.status).toBe(200);
    expect((await inbox('?status=done&size=200')).body.groups.some((candidate) => candidate.id === exchange.id)).toBe(true);
  });
});
