import { Hono } from 'hono';
import { badRequest } from '../errors.ts';
import type { WebEnv } from '../security.ts';
import { readJson, type WebServices } from '../services.ts';

/**
 * 在线咨询 (staff and admins): the open 转人工 cases, a reply, 已结束. Every visit marks the user
 * as online, which is what lets the chat promise citizens a reply (chat/handoffs.ts).
 */
export function handoffRoutes(services: WebServices) {
  const app = new Hono<WebEnv>();
  const desk = services.handoffs;

  app.get('/', async (c) => {
    desk.staffSeen(c.get('session').user);
    c.header('Cache-Control', 'no-store');
    return c.json(await desk.board());
  });

  app.post('/:id/reply', async (c) => {
    const body = await readJson(c.req);
    if (typeof body.text !== 'string') badRequest('请填写回复内容');
    const user = c.get('session').user;
    desk.staffSeen(user);
    // Answered only once the reply is stored (and, for Telegram, sent).
    const message = await desk.reply(c.req.param('id'), user, body.text as string);
    return c.json({ ok: true, message });
  });

  app.post('/:id/close', async (c) => {
    const user = c.get('session').user;
    await desk.close(c.req.param('id'), user);
    return c.json({ ok: true });
  });

  return app;
}
