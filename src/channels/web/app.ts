import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { chatLimitMessages, createChatGuard } from './chat-guard.ts';
import { createErrorHandler } from './errors.ts';
import { authRoutes } from './routes/auth.ts';
import { chatRoutes } from './routes/chat.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { handoffRoutes } from './routes/handoffs.ts';
import { inboxRoutes } from './routes/inbox.ts';
import { knowledgeRoutes } from './routes/knowledge.ts';
import { publishRoutes } from './routes/publish.ts';
import { staffRoutes } from './routes/staff.ts';
import { requireRole, sameOriginWrites, securityHeaders, type WebEnv } from './security.ts';
import type { WebServices } from './services.ts';
import type { StaticFile } from './static.ts';

/** Console pages and the role each needs. */
export const CONSOLE_PAGES = {
  bench: 'staff',
  conversations: 'staff',
  dashboard: 'staff',
  handoffs: 'staff',
  inbox: 'admin',
  knowledge: 'admin',
  publish: 'admin',
} as const;

/**
 * The web app: the public chat, the login, and the console behind it. Routes are thin and call
 * the admin use cases; `onError` is the one place errors become status codes.
 */
export function createWebApp(services: WebServices, files: Map<string, StaticFile>) {
  const app = new Hono<WebEnv>();
  const { sessions } = services;
  const send = (c: Context, path: string, status: 200 | 404 = 200) => {
    const file = files.get(path);
    if (!file) return c.json({ error: '页面不存在' }, 404);
    return c.body(new Uint8Array(file.body), status, { 'Content-Type': file.type, 'Cache-Control': 'no-cache' });
  };

  app.onError(createErrorHandler(services.logger));
  app.use('*', securityHeaders);
  app.use('*', sameOriginWrites);
  app.use('/api/*', bodyLimit({ maxSize: 4 * 1024 * 1024, onError: (c) => c.json({ error: '上传内容过大（上限 4 MB）' }, 413) }));
  // A login is a name and a password: no reason to parse megabytes before the limiter runs.
  app.use('/api/login', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: '登录请求过大' }, 413) }));

  // --- public: the chat, the login page, shared assets, health
  app.get('/', (c) => send(c, '/index.html'));
  app.get('/login', (c) => send(c, '/login.html'));
  app.get('/assets/:file', (c) => send(c, `/assets/${c.req.param('file')}`));
  app.get('/healthz', (c) => c.json({ ok: true, version: services.core.engine.version() }));
  // The chat's writes: size first (a header check), then rate and new-session caps and the
  // text length (chat-guard.ts), before the engine runs or anything is stored.
  const chatBytes = services.config.CHAT_MAX_CHARS * 12 + 4096; // \uXXXX escapes, two per astral character
  app.use('/api/chat/*', bodyLimit({ maxSize: chatBytes, onError: (c) => c.json({ error: chatLimitMessages.tooLong(undefined, services.config.CHAT_MAX_CHARS) }, 413) }));
  app.use('/api/chat/*', createChatGuard(services));
  app.route('/api/chat', chatRoutes(services));
  app.route('/api', authRoutes(services));

  if (services.telegramWebhook) {
    const webhook = services.telegramWebhook;
    app.post('/telegram/webhook', async (c) => {
      const update: unknown = await c.req.json().catch(() => undefined);
      if (update === undefined) return c.json({ error: 'bad update' }, 400);
      const { status } = await webhook(update, c.req.header('x-telegram-bot-api-secret-token'));
      return c.body(null, status as 200);
    });
  }

  // --- console pages (login required; admin pages refuse staff)
  app.get('/console', (c) => c.redirect('/console/bench', 302));
  for (const [page, role] of Object.entries(CONSOLE_PAGES)) {
    app.get(`/console/${page}`, requireRole(sessions, role, 'page'), (c) => send(c, `/console/${page}.html`));
  }

  // --- console APIs
  app.use('/api/staff/*', requireRole(sessions, 'staff', 'api'));
  app.route('/api/staff/handoffs', handoffRoutes(services));
  app.route('/api/staff', staffRoutes(services));
  app.route('/api/staff/conversations', conversationRoutes(services));
  app.use('/api/admin/*', requireRole(sessions, 'admin', 'api'));
  app.route('/api/admin/inbox', inboxRoutes(services));
  app.route('/api/admin', knowledgeRoutes(services));
  app.route('/api/admin', publishRoutes(services));

  app.notFound((c) => (c.req.path.startsWith('/api/') ? c.json({ error: '接口不存在' }, 404) : send(c, '/404.html', 404)));
  return app;
}
