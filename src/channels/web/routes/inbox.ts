import { Hono } from 'hono';
import { INBOX_STATUSES } from '../../../admin/inbox-index.ts';
import { createInboxReview, suggestIntent, type Guess } from '../../../admin/inbox-review.ts';
import type { InboxStatus } from '../../../admin/ports.ts';
import type { Engine } from '../../../engine-types.ts';
import { badRequest } from '../errors.ts';
import type { WebEnv } from '../security.ts';
import { readJson, type WebServices } from '../services.ts';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

function exchangeIds(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((id) => typeof id === 'string')) {
    return badRequest('请选择消息');
  }
  return value as string[];
}

/** A positive whole number from the query string, or the default when absent. */
function positive(value: string | undefined, fallback: number, message: string): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  return Number.isInteger(number) && number >= 1 ? number : badRequest(message);
}

/**
 * What the bot's classifier leans towards for a group's text now, even when it answered `none`.
 * Kept per text until the engine changes (publish, rollback), so paging back and forth asks the
 * engine only about groups not yet seen. Cleared when it grows past a few pages' worth of texts.
 */
function createGuesses() {
  let key: { engine: Engine; version: number } | undefined;
  let cache = new Map<string, Guess>();
  return (engine: Engine, text: string): Guess => {
    if (key?.engine !== engine || key.version !== engine.version() || cache.size >= 5000) {
      key = { engine, version: engine.version() };
      cache = new Map();
    }
    if (cache.has(text)) return cache.get(text);
    const top = engine.respond({ kind: 'text', text }, undefined).trace.ranked[0];
    const guess = top ? { intent: top.intent, score: top.score } : undefined;
    cache.set(text, guess);
    return guess;
  };
}

function exampleText(value: unknown): string {
  if (typeof value !== 'string' || !value.trim()) return badRequest('请填写例句');
  return value;
}

/** Admin review inbox: grouped misses, one page at a time; add-as-example, out of scope, dismiss, context. */
export function inboxRoutes(services: WebServices) {
  const app = new Hono<WebEnv>();
  const guessFor = createGuesses();
  const review = createInboxReview({ store: services.store, drafts: services.drafts });
  const threshold = services.config.CONFIDENCE_THRESHOLD;

  app.get('/', async (c) => {
    const status = (c.req.query('status') ?? 'new') as InboxStatus;
    if (!INBOX_STATUSES.includes(status)) badRequest('状态无效');
    const page = positive(c.req.query('page'), 1, '页码无效');
    const size = Math.min(positive(c.req.query('size'), DEFAULT_PAGE_SIZE, '每页条数无效'), MAX_PAGE_SIZE);
    const view = await services.inbox.view({ status, page, size });
    const engine = services.core.engine;
    // Only the groups on this page are asked about, so a large inbox costs one page of guesses
    // and one reply lookup per group (its first message; the others' come with their context).
    const replies = await review.replies(view.groups.map((group) => group.id));
    const groups = view.groups.map((group) => {
      const guess = guessFor(engine, group.text);
      return { ...group, guess, suggestion: suggestIntent(guess, threshold) ?? null, reply: replies[group.id] ?? null };
    });
    // The draft's intents: that is what an example is added to (it may hold an intent not live yet).
    const intents = services.drafts.kb().intents.map((intent) => ({ name: intent.name, description: intent.description, question: intent.question }));
    return c.json({ ...view, groups, intents, threshold });
  });

  /** Adds the text as an example of an intent in the draft and marks the messages done. */
  app.post('/add-example', async (c) => {
    const body = await readJson(c.req);
    const ids = exchangeIds(body.exchangeIds);
    if (typeof body.intent !== 'string' || !body.intent) badRequest('请先选择意图');
    const result = await review.addExample(ids, body.intent as string, exampleText(body.text), c.get('session').user);
    return c.json({ ok: true, intent: result.item.name, revision: result.revision });
  });

  /** 不属于本服务: the text becomes an out-of-scope example in the draft; the messages are done. */
  app.post('/out-of-scope', async (c) => {
    const body = await readJson(c.req);
    const ids = exchangeIds(body.exchangeIds);
    const result = await review.markOutOfScope(ids, exampleText(body.text), c.get('session').user);
    return c.json({ ok: true, intent: result.item.name, revision: result.revision });
  });

  app.get('/context/:id', async (c) => c.json(await review.context(c.req.param('id'))));

  app.post('/status', async (c) => {
    const body = await readJson(c.req);
    const ids = exchangeIds(body.exchangeIds);
    if (!INBOX_STATUSES.includes(body.status as InboxStatus)) badRequest('状态无效');
    await services.store.setInboxStatus(ids, body.status as InboxStatus);
    return c.json({ ok: true });
  });

  return app;
}
