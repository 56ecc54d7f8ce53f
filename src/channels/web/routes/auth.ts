import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { DEVICE_TTL_MS, type Role } from '../../../admin/auth.ts';
import type { LoginLimitScope, LoginOutcome } from '../../../admin/login-limit.ts';
import { clientAddress, CSRF_HEADER, isHttps, SESSION_COOKIE } from '../security.ts';
import { readJson, type WebServices } from '../services.ts';

const DEVICE_COOKIE = 'console_device';

function tooManyMessage(scope: LoginLimitScope, seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  if (scope === 'account') {
    return `该账号的登录尝试过多，请 ${minutes} 分钟后再试；以前成功登录过该账号的浏览器仍可直接登录`;
  }
  return `登录失败次数过多，请 ${minutes} 分钟后再试`;
}

/** Login, logout and "who am I" (which also hands the page its CSRF token). */
export function authRoutes(services: WebServices) {
  const app = new Hono();
  const { sessions, accounts, limiter } = services;

  app.post('/login', async (c) => {
    const address = clientAddress(c, services.proxies);
    const body = await readJson(c.req);
    const user = typeof body.user === 'string' ? body.user.trim().slice(0, 100) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 200) : '';
    const device = sessions.readDevice(getCookie(c, DEVICE_COOKIE), user);

    // Counted before the password is checked, so a burst cannot outrun its own failures.
    const gate = await limiter.begin({ user, address, device });
    if (!gate.ok) {
      services.logger.debug('console login refused by the limit', { address, scope: gate.scope });
      c.header('Retry-After', String(gate.retryAfterSeconds));
      return c.json({ error: tooManyMessage(gate.scope, gate.retryAfterSeconds) }, 429);
    }
    let role: Role | undefined;
    let outcome: LoginOutcome = 'unchecked'; // stays so if checking throws (e.g. BusyError → 503)
    try {
      role = user && password ? await accounts.verify(user, password) : undefined;
      outcome = role ? 'success' : 'failure';
    } finally {
      // Shared counters may be unreachable; the attempt then counts as failed until its window
      // passes, which is safe, and the person still gets the answer to their password.
      await Promise.resolve()
        .then(() => gate.finish(outcome))
        .catch((error: unknown) => services.logger.error('login attempt not recorded', { error }));
    }
    if (!role) {
      // Never what was typed: a user name field often holds a password typed one box too early.
      const knownUser = accounts.roles().some((account) => account.user === user);
      services.logger.warn('console login failed', { address, knownUser, trustedBrowser: device !== undefined });
      return c.json({ error: '用户名或密码不正确' }, 401);
    }
    const secure = services.secureCookies || isHttps(c);
    const { token, session } = sessions.issue(user, role);
    setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure, expires: new Date(session.expires) });
    // Marks this browser as one that has logged in to this account (see admin/login-limit.ts).
    // Sent to the login only; renewed at each login.
    setCookie(c, DEVICE_COOKIE, sessions.deviceToken(user), {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/api/login',
      secure,
      maxAge: Math.floor(DEVICE_TTL_MS / 1000),
    });
    services.logger.info('console login', { user, role });
    return c.json({ user, role, csrf: sessions.csrfToken(session) });
  });

  app.post('/logout', (c) => {
    const session = sessions.read(getCookie(c, SESSION_COOKIE));
    if (session) {
      if (!sessions.checkCsrf(session, c.req.header(CSRF_HEADER))) return c.json({ error: 'CSRF 校验失败' }, 403);
      sessions.revoke(session);
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true });
  });

  app.get('/session', (c) => {
    const session = sessions.read(getCookie(c, SESSION_COOKIE));
    if (!session) return c.json({ error: '请先登录' }, 401);
    return c.json({ user: session.user, role: session.role, csrf: sessions.csrfToken(session) });
  });

  return app;
}
