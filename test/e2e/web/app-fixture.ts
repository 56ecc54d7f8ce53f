import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bootCore } from '../../../src/bootstrap.ts';
import { createWebApp } from '../../../src/channels/web/app.ts';
import { buildWebServices, loadConsoleFiles } from '../../../src/channels/web/server.ts';
import { loadConfig } from '../../../src/config.ts';
import { createKeyedQueue } from '../../../src/lib/keyed-queue.ts';
import { createLogger } from '../../../src/lib/logger.ts';
import { createMemoryStore } from '../../fakes/memory-store.ts';

/**
 * The console's Hono app over temp copies of intents/ and data/, an in-memory store and no
 * socket: `request(path, init)` goes straight to the app. For route-level tests.
 */
export async function createAppFixture(options: { env?: Record<string, string>; now?: () => Date } = {}) {
  const root = await mkdtemp(join(tmpdir(), 'web-app-'));
  const repo = resolve(import.meta.dirname, '../../..');
  const intentsDir = join(root, 'intents');
  const dataDir = join(root, 'data');
  await cp(join(repo, 'intents'), intentsDir, { recursive: true });
  await cp(join(repo, 'data'), dataDir, { recursive: true, filter: (source) => !source.startsWith(join(repo, 'data', 'runtime')) });
  const config = loadConfig({
    INTENTS_DIR: intentsDir,
    DATA_DIR: dataDir,
    RUNTIME_DIR: join(root, 'runtime'),
    LOG_LEVEL: 'silent',
    ADMIN_USER: 'admin',
    ADMIN_PASSWORD: 'admin-Orchid-7421',
    STAFF_USER: 'staff',
    STAFF_PASSWORD: 'staff-Tulip-3958',
    SESSION_SECRET: 'fixture-secret',
    ...options.env,
  });
  const core = await bootCore({ intentsDir, dataDir, cacheDir: join(root, 'cache') });
  const store = createMemoryStore();
  const services = await buildWebServices({
    config,
    core,
    store,
    logger: createLogger('silent'),
    knowledgeQueue: createKeyedQueue(),
    heldoutPath: join(root, 'no-heldout.jsonl'),
    ...(options.now ? { now: options.now } : {}),
  });
  const app = createWebApp(services, await loadConsoleFiles());
  const request = (path: string, init: RequestInit = {}) => app.request(`http://localhost${path}`, init);

  /** Logs in and returns headers that carry the session cookie and CSRF token. */
  async function login(user: string, password: string): Promise<Record<string, string>> {
    const response = await request('/api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user, password }),
    });
    if (response.status !== 200) throw new Error(`login ${user}: ${response.status}`);
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    const { csrf } = (await response.json()) as { csrf: string };
    return { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' };
  }

  return { app, request, login, services, store, core, intentsDir, dataDir, root, cleanup: () => rm(root, { recursive: true, force: true }) };
}
