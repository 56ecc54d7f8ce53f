import { Hono } from 'hono';
import { groupSimilar, inboxItems } from '../../../admin/inbox.ts';
import type { InboxStatus } from '../../../admin/ports.ts';
import { badRequest } from '../errors.ts';
import type { WebEnv } from '../security.ts';
import { readJson, type WebServices } from '../services.ts';

const STATUSES: InboxStatus[] = ['new', 'done', 'ignored'];

function exchangeIds(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((id) => typeof id === 'string')) {
    return badRequest('请选择消息');
  }
  return value as string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Admin review inbox: grouped misses, add-as-example, dismiss. */
export function inboxRoutes(services: WebServices) {
  const app = new Hono<WebEnv>();

  app.get('/', async (c) => {
    const status = (c.req.query('status') ?? 'new') as InboxStatus;
    if (!STATUSES.includes(status)) badRequest('状态无效');
    const [exchanges, feedback, statuses] = await Promise.all([
      // Reading every day file of a long history costs ~1 s per 100k exchanges: look back 60 days.
      services.store.exchanges({ since: new Date(Date.now() - 60 * DAY_MS) }),
      services.store.feedback(),
      services.store.inboxStatuses(),
    ]);
    const items = inboxItems(exchanges, feedback, statuses, services.config.CONFIDENCE_THRESHOLD);
    const counts = Object.fromEntries(STATUSES.map((name) => [name, items.filter((item) => item.status === name).length]));
    const engine = services.core.engine;
    const groups = groupSimilar(items.filter((item) => item.status === status)).map((group) => {
      // What the bot's classifier leans towards now, even when it answered `none`.
      const { trace } = engine.respond({ kind: 'text', text: group.text }, undefined);
      const guess = trace.ranked[0];
      return { ...group, guess: guess ? { intent: guess.intent, score: guess.score } : undefined };
    });
    const intents = engine.knowledge().intents.map((intent) => ({ name: intent.name, description: intent.description }));
    return c.json({ status, counts, groups, intents });
  });

  /** Adds the text as an example of an intent in the draft and marks the messages done. */
  app.post('/add-example', async (c) => {
    const body = await readJson(c.req);
    const ids = exchangeIds(body.exchangeIds);
    if (typeof body.intent !== 'string' || typeof body.text !== 'string' || !body.text.trim()) {
      badRequest('请选择意图并填写例句');
    }
    const result = await services.drafts.addExample(body.intent as string, body.text as string, c.get('session').user);
    await services.store.setInboxStatus(ids, 'done');
    return c.json({ ok: true, intent: result.item.name, revision: result.revision });
  });

  app.post('/status', async (c) => {
    const body = await readJson(c.req);
    const ids = exchangeIds(body.exchangeIds);
    if (!STATUSES.includes(body.status as InboxStatus)) badRequest('状态无效');
    await services.store.setInboxStatus(ids, body.status as InboxStatus);
    return c.json({ ok: true });
  });

  return app;
}
