import type { MiddlewareHandler } from 'hono';
import { chatIdFrom, chatKeyOf } from './routes/chat.ts';
import { createMemoryRateLimits, type BucketCheck } from './rate-limit.ts';
import { clientAddress } from './security.ts';
import { readJson, type WebServices } from './services.ts';

/**
 * Abuse limits for the public chat's writes (/api/chat, /feedback, /forget), checked before the
 * engine runs or anything is stored. Without them 1,000 posts without a cookie made 1,000
 * stored sessions, and text over the cap was silently cut.
 *
 * - Per browser session (the chat cookie): CHAT_RATE_PER_SESSION a minute. A person types far
 *   slower; a stuck script does not.
 * - Per client address: CHAT_RATE_PER_ADDRESS a minute, higher because an office or a school
 *   shares one address behind NAT.
 * - New sessions per address: NEW_CHATS_PER_ADDRESS_PER_HOUR. A cookie counts as an existing
 *   session only when the store holds a conversation for it, so inventing cookie values does
 *   not get around the cap (nor the per-session limit).
 * - Text longer than CHAT_MAX_CHARS: 413 with a message that says the limit.
 *
 * Refusals are 429/413 with a Chinese `error` the page shows in the chat, and Retry-After.
 *
 * The counters live in `services.chatLimits`: shared by every process with DATABASE_URL, else
 * this app's own memory.
 */

const EMERGENCY = '紧急情况请拨打 110，法律咨询可拨打 12348。';

export const chatLimitMessages = {
  tooFast: (seconds: number) => `发送太快了，请稍等 ${seconds} 秒再发。${EMERGENCY}`,
  tooManyNewChats: (seconds: number) =>
    `您所在的网络近一小时新开的对话太多了，请 ${Math.max(1, Math.ceil(seconds / 60))} 分钟后再试。如果浏览器禁止了 Cookie，请允许本站保存 Cookie 后再试。${EMERGENCY}`,
  tooLong: (length: number | undefined, max: number) =>
    `消息太长了（${length === undefined ? '' : `${length} 字，`}上限 ${max} 字）。请分成几条发送，或先概括一下要点再问。`,
};

export function createChatGuard(services: Pick<WebServices, 'config' | 'proxies' | 'store' | 'chatLimits'>): MiddlewareHandler {
  const { config } = services;
  const limits = services.chatLimits ?? createMemoryRateLimits();
  const MINUTE = 60_000;

  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const now = Date.now();
    const address = clientAddress(c, services.proxies);
    const cookieId = chatIdFrom(c);
    const known = cookieId !== undefined && (await services.store.getState(chatKeyOf(cookieId))) !== undefined;
    const session = known ? cookieId : undefined;

    const refuse = (seconds: number, error: string) => {
      c.header('Retry-After', String(seconds));
      return c.json({ error }, 429);
    };
    // One atomic check of every bucket: only a request that passes them all spends allowance,
    // so a refused one costs nothing, and two processes cannot both spend the last request.
    const checks: BucketCheck[] = [
      { key: `chat-address:${address}`, limit: config.CHAT_RATE_PER_ADDRESS, perMs: MINUTE },
      session
        ? { key: `chat-session:${session}`, limit: config.CHAT_RATE_PER_SESSION, perMs: MINUTE }
        : { key: `chat-new:${address}`, limit: config.NEW_CHATS_PER_ADDRESS_PER_HOUR, perMs: 60 * MINUTE },
    ];
    const [addressWait = 0, secondWait = 0] = await limits.admit(checks, now);
    const tooFast = Math.max(addressWait, session ? secondWait : 0);
    if (tooFast > 0) return refuse(tooFast, chatLimitMessages.tooFast(tooFast));
    if (!session && secondWait > 0) return refuse(secondWait, chatLimitMessages.tooManyNewChats(secondWait));

    // Hono caches the parsed body, so the route reads it again for free.
    const body = await readJson(c.req);
    if (typeof body.text === 'string') {
      const length = [...body.text].length;
      if (length > config.CHAT_MAX_CHARS) return c.json({ error: chatLimitMessages.tooLong(length, config.CHAT_MAX_CHARS) }, 413);
    }
    await next();
  };
}
