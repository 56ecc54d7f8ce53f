import { BlockList, isIP } from 'node:net';
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

// === Client address ===========================================================================

/** The reverse proxies whose X-Forwarded-For we believe (TRUSTED_PROXIES: addresses or CIDR ranges). */
export interface TrustedProxies {
  has(address: string): boolean;
}

export function trustedProxies(list: readonly string[]): TrustedProxies {
  const block = new BlockList();
  for (const entry of list) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) block.addAddress(address, type);
    else block.addSubnet(address, Number(prefix), type);
  }
  return {
    // BlockList matches IPv4-mapped IPv6 (::ffff:127.0.0.1) against IPv4 entries too.
    has: (address) => isIP(address) !== 0 && block.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4'),
  };
}

/** One X-Forwarded-For entry as an address: brackets and ports dropped, IPv4-mapped IPv6 unwrapped. */
function cleanAddress(raw: string): string {
  let address = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  if (/^::ffff:[\d.]+$/i.test(address)) address = address.slice(7);
  return address.slice(0, 64);
}

/**
 * Who sent the request, given the socket peer and X-Forwarded-For. Pure, so spoofing is
 * table-tested.
 *
 * - From a peer that is not a trusted proxy, X-Forwarded-For is ignored: anyone can write it,
 *   and believing it would let an attacker pick a fresh address for every guess.
 * - From a trusted proxy, the header is read from the right: each proxy appends the address it
 *   received the request from, so the right-most entry that is not one of our proxies was
 *   written by our own proxy and is the client. Entries left of it are the client's own
 *   claims and are never used, even when they look valid.
 * - A trusted peer with no usable header (a health check from the proxy host) is itself.
 */
export function resolveClientAddress(peer: string, forwardedFor: string | undefined, trusted: TrustedProxies): string {
  const socket = cleanAddress(peer);
  if (!trusted.has(socket) || !forwardedFor) return socket;
  const hops = forwardedFor.split(',').map(cleanAddress).filter(Boolean);
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    if (!trusted.has(hops[index]!)) return hops[index]!;
  }
  return hops[0] ?? socket; // every hop is one of our proxies: the request started there
}

/** The client's address for rate limits and logs (see resolveClientAddress). */
export function clientAddress(c: Context, trusted: TrustedProxies): string {
  let peer: string;
  try {
    peer = getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    peer = 'local'; // app.request() in tests has no socket
  }
  return resolveClientAddress(peer, c.req.header('x-forwarded-for'), trusted);
}

/**
 * Requires a console session with `role` (admin includes staff) and, for writes, the session's
 * CSRF token in the X-CSRF-Token header. Pages redirect to the login; APIs answer 401/403 JSON.
 */
const FORBIDDEN_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>无权限</title><link rel="stylesheet" href="/assets/console.css"></head><body class="login"><div class="card narrow"><h1>无权限</h1><p>此页面仅限管理员。工作人员账号可以使用测试台、看板和在线咨询。</p><p><a href="/console/bench">返回测试台</a></p></div></body></html>`;

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
