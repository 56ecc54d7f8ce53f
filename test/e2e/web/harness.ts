import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { createRuntimeStore } from '../../../src/adapters/runtime-store.ts';
import { bootCore } from '../../../src/bootstrap.ts';
import { startWebServer } from '../../../src/channels/web/server.ts';
import { loadConfig } from '../../../src/config.ts';
import { createKeyedQueue } from '../../../src/lib/keyed-queue.ts';
import { createLogger } from '../../../src/lib/logger.ts';

/**
 * Starts the real web server on a free port over temp copies of intents/ and data/ (the repo's
 * files are never written by a test), with a real runtime store in the temp dir.
 */
export async function startConsole(env: Record<string, string> = {}) {
  const root = await mkdtemp(join(tmpdir(), 'web-console-'));
  const repo = resolve(import.meta.dirname, '../../..');
  const intentsDir = join(root, 'intents');
  const dataDir = join(root, 'data');
  const runtimeDir = join(root, 'runtime');
  await cp(join(repo, 'intents'), intentsDir, { recursive: true });
  await cp(join(repo, 'data'), dataDir, { recursive: true, filter: (source) => !source.includes(`${join(repo, 'data', 'runtime')}`) });
  await mkdir(runtimeDir, { recursive: true });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    INTENTS_DIR: intentsDir,
    DATA_DIR: dataDir,
    RUNTIME_DIR: runtimeDir,
    LOG_LEVEL: 'silent',
    ADMIN_USER: 'admin',
    ADMIN_PASSWORD: 'admin-Orchid-7421',
    STAFF_USER: 'staff',
    STAFF_PASSWORD: 'staff-Tulip-3958',
    SESSION_SECRET: 'test-secret-please-change',
    ...env,
  });
  const logger = createLogger(config.LOG_LEVEL);
  const core = await bootCore({
    intentsDir,
    dataDir,
    threshold: config.CONFIDENCE_THRESHOLD,
    margin: config.AMBIGUITY_MARGIN,
    cacheDir: join(root, 'cache'),
  });
  const store = await createRuntimeStore({ dir: runtimeDir, logger });
  const server = await startWebServer({ config, core, store, logger, knowledgeQueue: createKeyedQueue(), heldoutPath: join(repo, 'eval/heldout.jsonl') });
  return {
    url: server.url,
    root,
    intentsDir,
    dataDir,
    runtimeDir,
    core,
    store,
    async stop() {
      await server.close();
      await store.flush();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium with a fresh profile; the caller closes it. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: apt-get install chromium, or set CHROMIUM_PATH`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    locale: 'zh-CN',
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
