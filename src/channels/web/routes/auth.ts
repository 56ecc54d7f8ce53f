import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { clientAddress, CSRF_HEADER, isHttps, SESSION_COOKIE } from '../security.ts';
import { readJson, type WebServices } from '../services.ts';

/** Login, logout and "who am I" (which also hands the page its CSRF token). */
export function authRoutes(services: WebServices) {
  const app = new Hono();
  const { sessions, accounts, limiter } = services;

  app.post('/login', async (c) => {
    const address = clientAddress(c);
    const wait = limiter.retryAfter(address);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      return c.json({ error: `登录失败次数过多，请 ${Math.ceil(wait / 60)} 分钟后再试` }, 429);
    }
    const body = await readJson(c.req);
    const user = typeof body.user === 'string' ? body.user.trim().slice(0, 100) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 200) : '';
    const role = user && password ? await accounts.verify(user, password) : undefined;
    if (!role) {
      limiter.fail(address);
      services.logger.warn('console login failed', { user, address });
      return c.json({ error: '用户名或密码不正确' }, 401);
    }
    limiter.succeed(address);
    const { token, session } = sessions.issue(user, role);
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: services.secureCookies || isHttps(c),
      expires: new Date(session.expires),
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
