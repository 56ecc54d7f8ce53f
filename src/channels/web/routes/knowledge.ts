import { Hono } from 'hono';
import { createLabels } from '../../../knowledge/labels.ts';
import { TOPIC_LABELS } from '../../../knowledge/topics.ts';
import { badRequest } from '../errors.ts';
import type { WebEnv } from '../security.ts';
import { readJson, type WebServices } from '../services.ts';

function revisionOf(body: Record<string, unknown>): string {
  if (typeof body.revision !== 'string') return badRequest('缺少版本号（revision），请重新加载后再保存');
  return body.revision;
}

/** Admin: intents and facts of the draft. Every save names the revision it was loaded at. */
export function knowledgeRoutes(services: WebServices) {
  const app = new Hono<WebEnv>();
  const { drafts } = services;
  const user = (c: { get(key: 'session'): { user: string } }) => c.get('session').user;

  app.get('/draft', (c) => {
    const view = drafts.view();
    const kb = drafts.kb();
    return c.json({
      dirty: view.dirty,
      stale: view.stale,
      problem: view.problem ?? null,
      changes: view.changes,
      intents: view.intents,
      facts: view.facts,
      sources: kb.sources,
      topics: TOPIC_LABELS,
      // The editor lists topics and follow-up intents by their Chinese names (the draft's own).
      labels: createLabels(kb.intents).maps(),
      today: new Date().toISOString().slice(0, 10),
    });
  });

  app.post('/draft/discard', async (c) => {
    await drafts.reset();
    return c.json({ ok: true });
  });

  app.post('/intents', async (c) => {
    const body = await readJson(c.req);
    return c.json(await drafts.saveIntent(undefined, body.item, undefined, user(c)), 201);
  });
  app.put('/intents/:name', async (c) => {
    const body = await readJson(c.req);
    return c.json(await drafts.saveIntent(c.req.param('name'), body.item, revisionOf(body), user(c)));
  });
  app.delete('/intents/:name', async (c) => {
    const body = await readJson(c.req);
    return c.json({ lint: await drafts.deleteIntent(c.req.param('name'), revisionOf(body), user(c)) });
  });

  app.post('/facts', async (c) => {
    const body = await readJson(c.req);
    return c.json(await drafts.saveFact(undefined, body.item, undefined, user(c)), 201);
  });
  app.put('/facts/:id', async (c) => {
    const body = await readJson(c.req);
    return c.json(await drafts.saveFact(c.req.param('id'), body.item, revisionOf(body), user(c)));
  });
  app.delete('/facts/:id', async (c) => {
    const body = await readJson(c.req);
    return c.json({ lint: await drafts.deleteFact(c.req.param('id'), revisionOf(body), user(c)) });
  });

  return app;
}
