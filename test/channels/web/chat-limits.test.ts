import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebApp } from '../../../src/channels/web/app.ts';
import { loadConsoleFiles } from '../../../src/channels/web/server.ts';
import type { Config } from '../../../src/config.ts';
import { createAppFixture } from '../../e2e/web/app-fixture.ts';

/** The public chat's abuse limits through the real Hono app (the socket address as node-server passes it). */

let fixture: Awaited<ReturnType<typeof createAppFixture>>;
let files: Awaited<ReturnType<typeof loadConsoleFiles>>;

beforeAll(async () => {
  fixture = await createAppFixture();
  files = await loadConsoleFiles();
});
afterAll(() => fixture?.cleanup());

/** A fresh app (fresh limits) over the fixture, with some limits overridden. */
function chatApp(overrides: Partial<Config> = {}) {
  const app = createWebApp({ ...fixture.services, config: { ...fixture.services.config, ...overrides } }, files);
  return (body: Record<string, unknown>, from: { peer?: string; cookie?: string; path?: string } = {}) =>
    app.request(
      `http://localhost${from.path ?? '/api/chat'}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(from.cookie ? { Cookie: from.cookie } : {}) },
        body: JSON.stringify(body),
      },
      { incoming: { socket: { remoteAddress: from.peer ?? '203.0.113.5' } } },
    );
}

const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0]!;
const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;

describe('web chat abuse limits', () => {
  it('answers a browser session 20 times a minute, then asks it in Chinese to slow down', async () => {
    const send = chatApp();
    const first = await send({ text: '法律援助怎么申请' }, { peer: '198.51.100.1' });
    expect(first.status).toBe(200);
    const cookie = cookieOf(first);
    const statuses: number[] = [];
    for (let index = 0; index < 20; index += 1) statuses.push((await send({ text: '热线电话是多少' }, { peer: '198.51.100.1', cookie })).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const refused = await send({ text: '热线电话是多少' }, { peer: '198.51.100.1', cookie });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await errorOf(refused)).toMatch(/^发送太快了，请稍等 \d+ 秒再发。/);
    // Another browser is not affected.
    expect((await send({ text: '热线电话是多少' }, { peer: '198.51.100.2' })).status).toBe(200);
  });

  it('limits one address across all its sessions', async () => {
    const send = chatApp({ CHAT_RATE_PER_ADDRESS: 4 });
    const statuses = [];
    for (let index = 0; index < 5; index += 1) statuses.push((await send({ text: '你好' }, { peer: '198.51.100.9' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect((await send({ text: '你好' }, { peer: '198.51.100.10' })).status).toBe(200);
  });

  it('caps new sessions per address, invented cookies included, and keeps existing ones talking', async () => {
    const send = chatApp({ NEW_CHATS_PER_ADDRESS_PER_HOUR: 3 });
    const responses = [];
    for (let index = 0; index < 3; index += 1) responses.push(await send({ text: '你好' }, { peer: '192.0.2.44' }));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    const fourth = await send({ text: '你好' }, { peer: '192.0.2.44' });
    expect(fourth.status).toBe(429);
    expect(fourth.headers.get('set-cookie')).toBeNull();
    expect(await errorOf(fourth)).toMatch(/新开的对话太多了，请 \d+ 分钟后再试/);
    const invented = await send({ text: '你好' }, { peer: '192.0.2.44', cookie: 'chat_id=AAAAAAAAAAAAAAAAAAAAAA' });
    expect(invented.status).toBe(429);
    expect((await send({ text: '你好' }, { peer: '192.0.2.44', cookie: cookieOf(responses[0]!) })).status).toBe(200);
  });

  it('1,000 posts without a cookie no longer make 1,000 sessions', async () => {
    const send = chatApp();
    const before = new Set(fixture.store.all.exchanges.map((exchange) => exchange.chatKey)).size;
    const statuses = [];
    for (let index = 0; index < 100; index += 1) statuses.push((await send({ intent: 'hotline.what_is' }, { peer: '192.0.2.99' })).status);
    const sessions = new Set(fixture.store.all.exchanges.map((exchange) => exchange.chatKey)).size - before;
    expect(sessions).toBe(60);
    expect(statuses.filter((status) => status === 429)).toHaveLength(40);
  });

  it('refuses text over CHAT_MAX_CHARS with 413 and a message that says the limit, and stores nothing', async () => {
    const send = chatApp();
    const stored = fixture.store.all.exchanges.length;
    const long = await send({ text: '我'.repeat(2001) }, { peer: '192.0.2.60' });
    expect(long.status).toBe(413);
    expect(await errorOf(long)).toBe('消息太长了（2001 字，上限 2000 字）。请分成几条发送，或先概括一下要点再问。');
    expect(fixture.store.all.exchanges.length).toBe(stored);
    const huge = await send({ text: 'x'.repeat(200_000) }, { peer: '192.0.2.60' });
    expect(huge.status).toBe(413);
    expect(await errorOf(huge)).toContain('上限 2000 字');
    expect((await send({ text: `法律援助${'。'.repeat(1996)}` }, { peer: '192.0.2.60' })).status).toBe(200);
  });

  it('limits feedback posts on the same allowance', async () => {
    const send = chatApp({ CHAT_RATE_PER_ADDRESS: 2 });
    await send({ text: '你好' }, { peer: '192.0.2.70' });
    await send({ exchangeId: 'x', value: 'up' }, { peer: '192.0.2.70', path: '/api/chat/feedback' });
    const refused = await send({ exchangeId: 'x', value: 'up' }, { peer: '192.0.2.70', path: '/api/chat/feedback' });
    expect(refused.status).toBe(429);
    expect(await errorOf(refused)).toMatch(/发送太快了/);
  });
});
