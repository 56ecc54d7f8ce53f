import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Accounts, Role } from '../../../src/admin/auth.ts';
import { createLoginLimiter } from '../../../src/admin/login-limit.ts';
import { createWebApp } from '../../../src/channels/web/app.ts';
import { loadConsoleFiles } from '../../../src/channels/web/server.ts';
import { trustedProxies } from '../../../src/channels/web/security.ts';
import { createLogger } from '../../../src/lib/logger.ts';
import { createAppFixture } from '../../e2e/web/app-fixture.ts';

/**
 * The console login through the real Hono app, with an accounts object that counts password
 * checks. The socket address is passed the way @hono/node-server passes it (env.incoming).
 */

const PASSWORD = 'river-lamp-orchid-1';
let fixture: Awaited<ReturnType<typeof createAppFixture>>;
let files: Awaited<ReturnType<typeof loadConsoleFiles>>;

beforeAll(async () => {
  fixture = await createAppFixture();
  files = await loadConsoleFiles();
});
afterAll(() => fixture?.cleanup());

/** A fresh app with its own limiter, a counting account store and a log we can read. */
function setup(proxies: string[] = []) {
  const checked: string[] = [];
  const logLines: string[] = [];
  const accounts: Accounts = {
    async verify(user, password) {
      checked.push(password);
      await new Promise((done) => setTimeout(done, 5)); // a password check takes a while
      return user === 'admin' && password === PASSWORD ? ('admin' as Role) : undefined;
    },
    roles: () => [{ user: 'admin', role: 'admin' }],
  };
  const app = createWebApp(
    {
      ...fixture.services,
      accounts,
      limiter: createLoginLimiter({ max: 5, windowMs: 10 * 60_000 }),
      proxies: trustedProxies(proxies),
      logger: createLogger('debug', (line) => logLines.push(line)),
    },
    files,
  );
  const login = (body: { user: string; password: string }, from: { peer: string; forwardedFor?: string; cookie?: string }) =>
    app.request(
      'http://localhost/api/login',
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(from.forwardedFor ? { 'X-Forwarded-For': from.forwardedFor } : {}),
          ...(from.cookie ? { Cookie: from.cookie } : {}),
        },
        body: JSON.stringify(body),
      },
      { incoming: { socket: { remoteAddress: from.peer } } },
    );
  return { app, login, checked, logLines };
}

describe('console login under attack', () => {
  it('of 50 guesses started at once, checks five passwords and refuses the right one at position 30', async () => {
    const { login, checked } = setup();
    const passwords = Array.from({ length: 50 }, (_, index) => (index === 30 ? PASSWORD : `guess-${index}`));
    const responses = await Promise.all(passwords.map((password) => login({ user: 'admin', password }, { peer: '203.0.113.9' })));
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(responses.filter((response) => response.status === 200)).toHaveLength(0);
    const refused = responses.filter((response) => response.status === 429);
    expect(refused).toHaveLength(45);
    expect(responses[30]!.status).toBe(429);
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused[0]!.json()) as { error: string }).error).toMatch(/登录失败次数过多，请 \d+ 分钟后再试/);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const { login, checked } = setup(['127.0.0.1']);
    const statuses = [];
    for (let index = 0; index < 8; index += 1) {
      const response = await login({ user: 'admin', password: `guess-${index}` }, { peer: '198.51.100.7', forwardedFor: `10.1.1.${index}` });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expect(checked).toHaveLength(5);
  });

  it('behind a trusted proxy, limits each client by its forwarded address, not the proxy', async () => {
    const { login } = setup(['127.0.0.1', '10.0.0.0/8']);
    const viaProxy = (client: string, password: string) =>
      login({ user: 'admin', password }, { peer: '127.0.0.1', forwardedFor: `1.1.1.1, ${client}, 10.0.0.2` });
    for (let index = 0; index < 5; index += 1) expect((await viaProxy('203.0.113.50', `guess-${index}`)).status).toBe(401);
    expect((await viaProxy('203.0.113.50', PASSWORD)).status).toBe(429);
    // Another client behind the same proxy is not locked out by the first one's failures...
    expect((await viaProxy('203.0.113.51', PASSWORD)).status).toBe(200);
    // ...and the first cannot escape by claiming another address to the left of the proxy's entry.
    const spoofed = await login({ user: 'admin', password: PASSWORD }, { peer: '127.0.0.1', forwardedFor: '203.0.113.99, 203.0.113.50' });
    expect(spoofed.status).toBe(429);
  });

  it('lets the admin in from a browser that logged in before, while the address is locked', async () => {
    const { login } = setup();
    const first = await login({ user: 'admin', password: PASSWORD }, { peer: '192.0.2.10' });
    const device = (first.headers.getSetCookie?.() ?? []).find((cookie) => cookie.startsWith('console_device='));
    expect(device).toMatch(/HttpOnly/i);
    expect(device).toMatch(/Path=\/api\/login/i);
    for (let index = 0; index < 5; index += 1) await login({ user: `someone${index}`, password: 'guess-xyz' }, { peer: '192.0.2.10' });
    expect((await login({ user: 'admin', password: PASSWORD }, { peer: '192.0.2.10' })).status).toBe(429);
    const again = await login({ user: 'admin', password: PASSWORD }, { peer: '192.0.2.10', cookie: device!.split(';')[0] });
    expect(again.status).toBe(200);
  });

  it('logs a failed login with the address and whether the account exists, never what was typed', async () => {
    const { login, logLines } = setup();
    await login({ user: 'hunter2-typed-in-the-wrong-box', password: 'my-secret-guess' }, { peer: '192.0.2.33' });
    await login({ user: 'admin', password: 'another-secret-guess' }, { peer: '192.0.2.33' });
    const failures = logLines.filter((line) => line.includes('console login failed')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(failures.map(({ address, knownUser }) => ({ address, knownUser }))).toEqual([
      { address: '192.0.2.33', knownUser: false },
      { address: '192.0.2.33', knownUser: true },
    ]);
    const all = logLines.join('\n');
    expect(all).not.toContain('hunter2');
    expect(all).not.toContain('secret-guess');
  });
});
