import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppFixture } from '../../e2e/web/app-fixture.ts';

let fixture: Awaited<ReturnType<typeof createAppFixture>>;

beforeAll(async () => {
  fixture = await createAppFixture();
});
afterAll(() => fixture?.cleanup());

/** Every route the app declares, with concrete values for its parameters. */
function routes(prefixes: string[]) {
  const seen = new Set<string>();
  return fixture.app.routes
    .filter((route) => route.method !== 'ALL' && prefixes.some((prefix) => route.path.startsWith(prefix)))
    .map((route) => ({ method: route.method, path: route.path.replace(/:(\w+)/g, 'x1') }))
    .filter((route) => !seen.has(`${route.method} ${route.path}`) && seen.add(`${route.method} ${route.path}`));
}

const send = (method: string, path: string, headers: Record<string, string> = {}) =>
  fixture.request(path, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: method === 'GET' ? undefined : JSON.stringify({ item: {}, revision: 'x', exchangeIds: ['x'], intent: 'x', text: 'x', status: 'done' }),
  });

describe('who may reach what', () => {
  it('refuses every admin and staff route without a login', async () => {
    const list = routes(['/api/admin', '/api/staff']);
    expect(list.length).toBeGreaterThan(15);
    for (const { method, path } of list) {
      const response = await send(method, path);
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
    }
  });

  it('refuses every admin route to staff, and lets staff use the bench', async () => {
    const staff = await fixture.login('staff', 'staff-Tulip-3958');
    for (const { method, path } of routes(['/api/admin'])) {
      const response = await send(method, path, staff);
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
    }
    const ask = await send('POST', '/api/staff/ask', staff);
    expect(ask.status).toBe(200);
  });

  it('sends console pages to the login without a session, and refuses admin pages to staff', async () => {
    for (const page of ['bench', 'dashboard', 'inbox', 'knowledge', 'publish']) {
      const response = await fixture.request(`/console/${page}`);
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toContain('/login');
    }
    const staff = await fixture.login('staff', 'staff-Tulip-3958');
    expect((await fixture.request('/console/knowledge', { headers: staff })).status).toBe(403);
    expect((await fixture.request('/console/bench', { headers: staff })).status).toBe(200);
  });

  it('serves the chat to anyone', async () => {
    expect((await fixture.request('/')).status).toBe(200);
    const reply = await fixture.request('/api/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: '法律援助怎么申请' }),
    });
    expect(reply.status).toBe(200);
    expect(((await reply.json()) as { reply: { topic: string } }).reply.topic).toBe('legal_aid');
  });

  it('refuses a write without the CSRF token, and one from another site', async () => {
    const admin = await fixture.login('admin', 'admin-Orchid-7421');
    const { 'X-CSRF-Token': _token, ...withoutToken } = admin;
    expect((await send('POST', '/api/admin/draft/discard', withoutToken)).status).toBe(403);
    expect((await send('POST', '/api/admin/draft/discard', { ...admin, 'X-CSRF-Token': 'forged' })).status).toBe(403);
    expect((await send('POST', '/api/admin/draft/discard', { ...admin, Origin: 'https://evil.example' })).status).toBe(403);
    expect((await send('POST', '/api/admin/draft/discard', admin)).status).toBe(200);
  });

  it('sets HttpOnly SameSite session cookies and stops guessing after five failures', async () => {
    const ok = await fixture.request('/api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'admin', password: 'admin-Orchid-7421' }),
    });
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const attempt = () =>
      fixture.request('/api/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user: 'admin', password: 'guess' }),
      });
    const statuses = [];
    for (let index = 0; index < 6; index += 1) statuses.push((await attempt()).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});
