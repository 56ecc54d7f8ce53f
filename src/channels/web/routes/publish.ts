import { Hono } from 'hono';
import type { WebEnv } from '../security.ts';
import { readJson, type WebServices } from '../services.ts';

/** Admin: what the draft would change, publish, history and rollback. */
export function publishRoutes(services: WebServices) {
  const app = new Hono<WebEnv>();
  const { publisher, history } = services;

  app.get('/preview', async (c) => c.json(await publisher.preview()));
  app.post('/publish', async (c) => {
    // A draft that changes emergency handling is refused (409) without the typed phrase.
    const body = await readJson(c.req);
    const entry = await publisher.publish(c.get('session').user, {
      ...(typeof body.confirm === 'string' ? { phrase: body.confirm } : {}),
      ...(typeof body.revision === 'string' ? { revision: body.revision } : {}),
    });
    return c.json({ entry, version: services.core.engine.version() });
  });
  app.get('/history', async (c) => {
    // A history file that cannot be read is listed by name; the rest of the page still works.
    const { entries, unreadable } = await history.list();
    return c.json({ entries, unreadable, version: services.core.engine.version() });
  });
  app.post('/history/:id/rollback', async (c) => {
    const entry = await publisher.rollback(c.req.param('id'), c.get('session').user);
    return c.json({ entry, version: services.core.engine.version() });
  });

  return app;
}
