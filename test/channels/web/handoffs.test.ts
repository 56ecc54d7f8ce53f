import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppFixture } from '../../e2e/web/app-fixture.ts';

/**
 * 转人工 over HTTP: the web chat, the 在线咨询 routes and the chat's /updates, with the real
 * engine, an in-memory store and a clock the test moves (2024-05-06 is a Monday).
 */

const clock = { now: new Date('2024-05-06T10:00:00+08:00') };
let fixture: Awaited<ReturnType<typeof createAppFixture>>;

beforeAll(async () => {
  fixture = await createAppFixture({ now: () => clock.now });
});
afterAll(() => fixture?.cleanup());

/** A citizen's browser: keeps the chat cookie between requests. */
function citizen() {
  let cookie = '';
  const remember = (response: Response) => {
    const set = response.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!;
    return response;
  };
  return {
    async say(text: string) {
      const response = remember(
        await fixture.request('/api/chat', { method: 'POST', headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) }, body: JSON.stringify({ text }) }),
      );
      expect(response.status).toBe(200);
      return (await response.json()) as { reply: { kind: string; text: string }; handoff?: { id: string } };
    },
    async updates(after?: string) {
      const query = after ? `?after=${encodeURIComponent(after)}` : '';
      const response = await fixture.request(`/api/chat/updates${query}`, { headers: cookie ? { Cookie: cookie } : {} });
      expect(response.status).toBe(200);
      return (await response.json()) as { handoff: { id: string; open: boolean; notice?: string } | null; messages: { text: string }[]; after: string | null };
    },
  };
}

type Board = { staffOnline: string[]; web: string; cases: { id: string; channel: string; waitingMinutes: number | null; messages: { from: string; text: string; by?: string }[] }[] };

describe('转人工 from the web chat to 在线咨询 and back', () => {
  it('with nobody on 在线咨询, the chat says so honestly and gives 12348', async () => {
    clock.now = new Date('2024-05-06T10:00:00+08:00');
    const browser = citizen();
    const { reply, handoff } = await browser.say('转人工');
    expect(reply.kind).toBe('handoff');
    expect(reply.text).toContain('没有工作人员在线');
    expect(reply.text).toContain('12348');
    expect(handoff).toBeUndefined();
    expect((await browser.updates()).handoff).toBeNull();
  });

  it('with staff on the page: the case is listed masked, the reply reaches the chat, and 已结束 is shown once', async () => {
    clock.now = new Date('2024-05-06T10:00:00+08:00');
    const staff = await fixture.login('staff', 'staff-Tulip-3958');
    const board = async () => (await (await fixture.request('/api/staff/handoffs', { headers: staff })).json()) as Board;
    expect((await board()).staffOnline).toEqual(['staff']);

    const browser = citizen();
    await browser.say('我的电话是13812345678，老板拖欠工资怎么办');
    const asked = await browser.say('转人工');
    expect(asked.reply.text).toContain('会直接在这个对话里回复您');
    expect(asked.handoff?.id).toBeTruthy();
    const start = await browser.updates();
    expect(start).toMatchObject({ handoff: { id: asked.handoff!.id, open: true }, messages: [] });

    clock.now = new Date('2024-05-06T10:07:00+08:00');
    const listed = (await board()).cases.find((item) => item.id === asked.handoff!.id)!;
    expect(listed.channel).toBe('web');
    expect(listed.waitingMinutes).toBe(7);
    const thread = listed.messages.map((message) => `${message.from}:${message.text}`).join('\n');
    expect(thread).toContain('citizen:我的电话是138****5678');
    expect(thread).not.toContain('13812345678');

    const sent = await fixture.request(`/api/staff/handoffs/${listed.id}/reply`, { method: 'POST', headers: staff, body: JSON.stringify({ text: '您好，欠薪可以先找劳动监察部门。' }) });
    expect(sent.status).toBe(200);
    const replied = await browser.updates(start.after!);
    expect(replied.messages.map((message) => message.text)).toEqual(['您好，欠薪可以先找劳动监察部门。']);
    expect((await board()).cases.find((item) => item.id === listed.id)?.waitingMinutes).toBeNull();

    const closed = await fixture.request(`/api/staff/handoffs/${listed.id}/close`, { method: 'POST', headers: staff });
    expect(closed.status).toBe(200);
    expect((await board()).cases.some((item) => item.id === listed.id)).toBe(false);
    const ended = await browser.updates(replied.after!);
    expect(ended.handoff).toMatchObject({ open: false, notice: expect.stringContaining('已结束') });
    expect((await browser.updates(ended.after!)).handoff).toBeNull();

    const again = await fixture.request(`/api/staff/handoffs/${listed.id}/reply`, { method: 'POST', headers: staff, body: JSON.stringify({ text: '还在吗' }) });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toContain('已经结束');
  });

  it('outside the service hours the chat names the hours and gives 12348, even with staff on the page', async () => {
    clock.now = new Date('2024-05-06T20:00:00+08:00');
    const staff = await fixture.login('admin', 'admin-Orchid-7421');
    const board = (await (await fixture.request('/api/staff/handoffs', { headers: staff })).json()) as Board;
    expect(board.web).toBe('outside_hours');
    const { reply, handoff } = await citizen().say('转人工');
    expect(reply.text).toContain('现在不是在线人工服务时间（周一至周五 08:30-17:30）');
    expect(reply.text).toContain('12348');
    expect(handoff).toBeUndefined();
  });

  it('needs the session’s CSRF token to reply', async () => {
    const staff = await fixture.login('staff', 'staff-Tulip-3958');
    const { 'X-CSRF-Token': _token, ...withoutToken } = staff;
    const response = await fixture.request('/api/staff/handoffs/x/reply', { method: 'POST', headers: withoutToken, body: JSON.stringify({ text: '您好' }) });
    expect(response.status).toBe(403);
  });
});
