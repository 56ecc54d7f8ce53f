import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/admin/ports.ts';
import { createAppFixture } from '../../e2e/web/app-fixture.ts';

/** 对话记录 and the dashboard's range, channel split and CSV through the real Hono app. */

let fixture: Awaited<ReturnType<typeof createAppFixture>>;
let staff: Record<string, string>;

beforeAll(async () => {
  fixture = await createAppFixture();
  staff = await fixture.login('staff', 'staff-Tulip-3958');
});
afterAll(() => fixture?.cleanup());

/** Browser time zone of the staff member: Beijing (the query sends minutes east of UTC). */
const TZ = 'tz=480';
const today = () => new Date(Date.now() + 480 * 60_000).toISOString().slice(0, 10);

/** A citizen's web chat turn through the public route; returns the cookie and the exchange id. */
async function chat(text: string, cookie?: string) {
  const response = await fixture.app.request(
    'http://localhost/api/chat',
    { method: 'POST', headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) }, body: JSON.stringify({ text }) },
    { incoming: { socket: { remoteAddress: '203.0.113.7' } } },
  );
  expect(response.status).toBe(200);
  const { exchangeId } = (await response.json()) as { exchangeId: string };
  return { cookie: cookie ?? (response.headers.get('set-cookie') ?? '').split(';')[0]!, exchangeId };
}

const telegram = (chatId: number, text: string, extra: Partial<Exchange> = {}) =>
  fixture.store.recordExchange({
    at: new Date().toISOString(),
    channel: 'telegram',
    chatKey: `telegram:${chatId}`,
    text,
    intent: 'hotline.what_is',
    topic: 'hotline',
    confidence: 0.8,
    kind: 'answer',
    decidedBy: 'classifier',
    reply: '12348是公共法律服务热线。',
    ...extra,
  });

const get = async <T = Record<string, unknown>>(path: string, headers: Record<string, string> = staff) => {
  const response = await fixture.request(path, { headers });
  return { status: response.status, body: (await response.json()) as T, response };
};

interface Row {
  id: string;
  channel: string;
  who: string;
  firstText: string;
  turns: number;
  topics: string[];
  handoff: boolean;
  missed: number;
  up: number;
}
interface ListView {
  conversations: Row[];
  total: number;
  channels: Record<string, number>;
  range: { from: string; to: string };
}
interface TranscriptView extends Row {
  exchanges: { text: string; reply: string; intent: string; confidence: number; decidedBy: string; kind: string; feedback?: string }[];
}

let webChat: { cookie: string; exchangeId: string };

describe('对话记录', () => {
  beforeAll(async () => {
    webChat = await chat('法律援助怎么申请？我的电话是13912345678');
    await chat('12348热线几点上班', webChat.cookie);
    await fixture.app.request(
      'http://localhost/api/chat/feedback',
      { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: webChat.cookie }, body: JSON.stringify({ exchangeId: webChat.exchangeId, value: 'up' }) },
      { incoming: { socket: { remoteAddress: '203.0.113.7' } } },
    );
    await chat('怎么申请人民调解'); // another browser: another conversation
    await telegram(11, '12348是什么');
    await telegram(11, '转人工', { intent: 'handoff.request', topic: 'handoff', kind: 'handoff', decidedBy: 'rule' });
  });

  it('lists this week’s conversations, one row each, for staff, with the masked first message', async () => {
    const { status, body } = await get<ListView>(`/api/staff/conversations?${TZ}`);
    expect(status).toBe(200);
    expect(body.range.to).toBe(today());
    expect(body.total).toBe(3);
    expect(body.channels).toEqual({ web: 2, telegram: 1 });
    const first = body.conversations.find((row) => row.firstText.startsWith('法律援助怎么申请'))!;
    expect(first).toMatchObject({ channel: 'web', turns: 2, up: 1 });
    expect(first.firstText).not.toContain('13912345678');
    expect(body.conversations.find((row) => row.channel === 'telegram')).toMatchObject({ turns: 2, handoff: true, topics: ['hotline', 'handoff'] });
    expect(JSON.stringify(body)).not.toContain('telegram:11');
  });

  it('filters by channel and topic', async () => {
    const onlyTelegram = await get<ListView>(`/api/staff/conversations?${TZ}&channel=telegram`);
    expect(onlyTelegram.body.conversations.map((row) => row.channel)).toEqual(['telegram']);
    const mediation = await get<ListView>(`/api/staff/conversations?${TZ}&topic=mediation`);
    expect(mediation.body.conversations.map((row) => row.firstText)).toEqual(['怎么申请人民调解']);
    const handoffs = await get<ListView>(`/api/staff/conversations?${TZ}&outcome=handoff`);
    expect(handoffs.body.total).toBe(1);
  });

  it('opens a conversation as a transcript: each message, the reply, the decision and the vote', async () => {
    const list = await get<ListView>(`/api/staff/conversations?${TZ}&channel=web`);
    const row = list.body.conversations.find((item) => item.firstText.startsWith('法律援助怎么申请'))!;
    const { status, body } = await get<TranscriptView>(`/api/staff/conversations/${row.id}`);
    expect(status).toBe(200);
    expect(body.exchanges).toHaveLength(2);
    const [asked, second] = body.exchanges;
    expect(asked!.text).toMatch(/^法律援助怎么申请？我的电话是/);
    expect(asked!.text).not.toContain('13912345678');
    expect(asked!.intent).toMatch(/^legal_aid\./);
    expect(asked!.reply).toContain('法律援助');
    expect(asked).toMatchObject({ kind: 'answer', feedback: 'up' });
    expect(typeof asked!.confidence).toBe('number');
    expect(asked!.decidedBy).toBeTruthy();
    expect(second!.text).toBe('12348热线几点上班');
  });

  it('says in Chinese when a conversation is gone, and refuses bad filters', async () => {
    const missing = await get<{ error: string }>('/api/staff/conversations/x999999');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain('找不到这段对话');
    for (const query of ['channel=fax', 'topic=nope', 'from=2024-13-01', 'from=2024-05-09&to=2024-05-01', 'page=0', 'outcome=maybe', 'tz=abc']) {
      expect((await get(`/api/staff/conversations?${query}`)).status, query).toBe(400);
    }
  });

  it('is behind the login, for staff and admins alike', async () => {
    expect((await get('/api/staff/conversations', {})).status).toBe(401);
    const admin = await fixture.login('admin', 'admin-Orchid-7421');
    expect((await get('/api/staff/conversations', admin)).status).toBe(200);
    const page = await fixture.request('/console/conversations', { headers: staff });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('对话记录');
  });
});

describe('dashboard over a range', () => {
  interface DashboardView {
    total: number;
    conversations: number;
    handoffs: number;
    channels: { channel: string; messages: number; conversations: number; handoffs: number; up: number }[];
    unanswered: { text: string; count: number }[];
    perDay: { day: string }[];
  }

  it('splits the figures per channel, counting conversations as 对话记录 does', async () => {
    const { status, body } = await get<DashboardView>(`/api/staff/dashboard?${TZ}`);
    expect(status).toBe(200);
    expect(body.perDay).toHaveLength(7);
    expect(body.perDay.at(-1)!.day).toBe(today());
    const list = await get<ListView>(`/api/staff/conversations?${TZ}`);
    expect(Object.fromEntries(body.channels.map((row) => [row.channel, row.conversations]))).toEqual(list.body.channels);
    expect(body.channels.find((row) => row.channel === 'telegram')).toMatchObject({ messages: 2, handoffs: 1 });
    expect(body.channels.find((row) => row.channel === 'web')).toMatchObject({ messages: 3, up: 1 });
  });

  it('shows nothing for a range before the traffic', async () => {
    const { body } = await get<DashboardView>(`/api/staff/dashboard?from=2024-01-01&to=2024-01-31&${TZ}`);
    expect(body).toMatchObject({ total: 0, conversations: 0 });
    expect(body.perDay).toHaveLength(31);
  });

  it('downloads the tables as a CSV file with formulas neutralised', async () => {
    await telegram(12, '=cmd|" /C calc"!A0', { intent: 'none', topic: 'none', confidence: 0.05, kind: 'clarify', decidedBy: 'fallback' });
    const response = await fixture.request(`/api/staff/dashboard/csv?${TZ}`, { headers: staff });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="dashboard-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"$/);
    const csv = await response.text();
    expect(csv).toContain('渠道,消息数,对话数,未理解,转人工,好评,差评');
    expect(csv).toMatch(/\r\nTelegram,3,2,1,1,0,0\r\n/);
    expect(csv).toContain(`"'=cmd|"" /C calc""!A0",1,`);
    expect((await fixture.request(`/api/staff/dashboard/csv?${TZ}`)).status).toBe(401);
  });
});
