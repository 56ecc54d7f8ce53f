import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { createConversation } from '../../../chat/conversation.ts';
import type { EngineInput } from '../../../dialogue/types.ts';
import { badRequest } from '../errors.ts';
import { isHttps } from '../security.ts';
import { readJson, type WebServices } from '../services.ts';

/**
 * The citizen's chat in a browser: the same engine and the same stored state and statistics as
 * Telegram. The conversation is keyed by a random HttpOnly cookie; no login.
 */

const CHAT_COOKIE = 'chat_id';

/** The chat id from the cookie when it has the shape we issue (chat-guard.ts reads it too). */
export function chatIdFrom(c: Context): string | undefined {
  const id = getCookie(c, CHAT_COOKIE);
  return id && /^[A-Za-z0-9_-]{16,40}$/.test(id) ? id : undefined;
}

export const chatKeyOf = (id: string) => `web:${id}`;

function chatKey(c: Context, services: WebServices): string {
  let id = chatIdFrom(c);
  if (!id) {
    id = randomBytes(16).toString('base64url');
    setCookie(c, CHAT_COOKIE, id, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      secure: services.secureCookies || isHttps(c),
      maxAge: 60 * 60 * 24 * 30,
    });
  }
  return chatKeyOf(id);
}

function toInput(body: Record<string, unknown>): EngineInput {
  // Length and rate were checked by chat-guard.ts: text is never cut here without saying so.
  if (typeof body.text === 'string') return { kind: 'text', text: body.text };
  if (typeof body.intent === 'string') return { kind: 'intent', intent: body.intent };
  if (typeof body.choice === 'string') return { kind: 'choice', value: body.choice };
  return badRequest('请输入问题');
}

export function chatRoutes(services: WebServices) {
  const app = new Hono();
  const now = services.now ?? (() => new Date());
  const conversation =
    services.conversation ??
    createConversation({
      engine: () => services.core.engine,
      store: services.store,
      now,
      contextTtlMinutes: services.config.CONTEXT_TTL_MINUTES,
      handoffs: services.handoffs,
    });

  app.get('/menu', (c) => c.json({ reply: services.core.engine.menu() }));

  app.post('/', async (c) => {
    const key = chatKey(c, services);
    const input = toInput(await readJson(c.req));
    // Every turn is stored, buttons too, so the dashboard counts what citizens actually did.
    const { reply, exchange, handoff } = await conversation.turn('web', key, input);
    // With a case open the page starts asking /updates for staff replies.
    const open = handoff && 'handoff' in handoff ? { id: handoff.handoff.id } : undefined;
    return c.json({ reply, exchangeId: exchange.id, ...(open ? { handoff: open } : {}) });
  });

  /**
   * Staff replies and the close of this browser's handoff case, after the position `after` the
   * page last read. Polled every few seconds while a case is open (see docs/console.md for why
   * polling and not server-sent events). A GET creates no session.
   */
  app.get('/updates', async (c) => {
    const id = chatIdFrom(c);
    if (!id) return c.json({ handoff: null, messages: [], after: null });
    c.header('Cache-Control', 'no-store');
    return c.json(await services.handoffs.updates(chatKeyOf(id), c.req.query('after')));
  });

  app.post('/feedback', async (c) => {
    const key = chatKey(c, services);
    const body = await readJson(c.req);
    if (typeof body.exchangeId !== 'string' || (body.value !== 'up' && body.value !== 'down')) badRequest('反馈格式有误');
    // Only the chat that received an answer may rate it; acknowledged only once it is stored.
    const exchange = await conversation.rate(key, body.exchangeId as string, body.value as 'up' | 'down');
    if (!exchange) return c.json({ error: '找不到这条回答' }, 404);
    return c.json({ ok: true });
  });

  app.post('/forget', async (c) => {
    await conversation.forget(chatKey(c, services));
    return c.json({ ok: true });
  });

  return app;
}
