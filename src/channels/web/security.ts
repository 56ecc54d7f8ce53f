import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { roleAllows, type Role, type Session, type Sessions } from '../../admin/auth.ts';

export type WebEnv = { Variables: { session: Session } };

export const SESSION_COOKIE = 'console_session';
export const CSRF_HEADER = 'x-csrf-token';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Secure defaults for every response: no framing, no sniffing, only our own scripts and styles. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Frame-Options', 'DENY');
  c.header(
    'Content-Security-Policy',
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  );
};

/**
 * Refuses writes sent from another site (the browser sets Origin on cross-site requests). The
 * chat and the login have no session to hang a token on; this is their CSRF protection. Callers
 * without Origin (Telegram's webhook, curl) pass; they cannot carry a victim's cookies anyway.
 */
export const sameOriginWrites: MiddlewareHandler = async (c, next) => {
  if (WRITE_METHODS.has(c.req.method)) {
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    const host = new URL(c.req.url).host; // built from the Host header by the node adapter
    let foreign = site === 'cross-site' || origin === 'null';
    if (origin !== undefined && origin !== 'null') {
      try {
        foreign ||= new URL(origin).host !== host;
      } catch {
        foreign = true; // an Origin that is not a URL is not ours
      }
    }
    if (foreign) return c.json({ error: '拒绝跨站请求' }, 403);
  }
  await next();
};

/** True behind HTTPS (directly or via a proxy that sets X-Forwarded-Proto): cookies get `Secure`. */
export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'local'; // app.request() in tests has no socket
  }
}

/**
 * Requires a console session with `role` (admin includes staff) and, for writes, the session's
 * CSRF token in the X-CSRF-Token header. Pages redirect to the login; APIs answer 401/403 JSON.
 */
const FORBIDDEN_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>无权限</title><link rel="stylesheet" href="/assets/console.css"></head><body class="login"><div class="card narrow"><h1>无权限</h1><p>此页面仅限管理员。工作人员账号可以使用测试台和看板。</p><p><a href="/console/bench">返回测试台</a></p></div></body></html>`;

export function requireRole(sessions: Sessions, role: Role, kind: 'api' | 'page'): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const session = sessions.read(getCookie(c, SESSION_COOKIE));
    if (!session) {
      if (kind === 'page') return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 302);
      return c.json({ error: '请先登录' }, 401);
    }
    if (!roleAllows(session.role, role)) {
      if (kind === 'page') return c.html(FORBIDDEN_PAGE, 403);
      return c.json({ error: '没有权限：此操作仅限管理员' }, 403);
    }
    if (WRITE_METHODS.has(c.req.method) && !sessions.checkCsrf(session, c.req.header(CSRF_HEADER))) {
      return c.json({ error: 'CSRF 校验失败，请刷新页面后重试' }, 403);
    }
    c.set('session', session);
    await next();
  };
}
