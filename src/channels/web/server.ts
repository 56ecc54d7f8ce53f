import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createDraftFile } from '../../adapters/draft-file.ts';
import { createHistoryFiles } from '../../adapters/history-files.ts';
import { createKnowledgeWriter } from '../../adapters/knowledge-writer.ts';
import { recoverKnowledgeFiles } from '../../adapters/publish-journal.ts';
import { createAccounts, createSessions } from '../../admin/auth.ts';
import { createLoginLimiter, type LoginLimiter } from '../../admin/login-limit.ts';
import { parseQuestions, type BenchQuestion } from '../../admin/bench.ts';
import { createDrafts } from '../../admin/drafts.ts';
import { createInboxFeed } from '../../admin/inbox-feed.ts';
import type { Announcement } from '../../admin/follow-publishes.ts';
import type { RuntimeStore } from '../../admin/ports.ts';
import type { Conversation } from '../../chat/conversation.ts';
import { createHandoffDesk, type HandoffDesk } from '../../chat/handoffs.ts';
import { createPublisher } from '../../admin/publish.ts';
import type { CoreServices } from '../../bootstrap.ts';
import type { Config } from '../../config.ts';
import type { KnowledgeBase } from '../../knowledge/schema.ts';
import { lintKnowledge } from '../../knowledge/lint.ts';
import type { KeyedQueue } from '../../lib/keyed-queue.ts';
import type { Logger } from '../../lib/logger.ts';
import { createNormalizer } from '../../nlp/normalize.ts';
import { createWebApp } from './app.ts';
import type { RateLimits } from './rate-limit.ts';
import { trustedProxies } from './security.ts';
import type { WebServices } from './services.ts';
import { loadPublicFiles } from './static.ts';

export interface WebServerDeps {
  config: Config;
  core: CoreServices;
  store: RuntimeStore;
  logger: Logger;
  /** The queue publishes share with Telegram's /reload (one per process, from the composition root). */
  knowledgeQueue: KeyedQueue;
  telegramWebhook?: (update: unknown, secretToken: string | undefined) => Promise<{ status: number }>;
  /** The chat turn shared with Telegram. */
  conversation?: Conversation;
  /** The handoff desk shared with Telegram and the conversation (built here, web only, when not given). */
  handoffs?: HandoffDesk;
  /** The clock (tests fix it; default the system clock). */
  now?: () => Date;
  /** The evaluation folder (default eval/): held-out, emergency and false-alarm questions for publish. */
  evalDir?: string;
  /** Held-out questions for publish's before/after accuracy (default heldout.jsonl in evalDir). */
  heldoutPath?: string;
  /** The console login limit (default: this process's memory; shared with DATABASE_URL). */
  loginLimiter?: LoginLimiter;
  /** The chat's rate limits (default: this process's memory; shared with DATABASE_URL). */
  chatLimits?: RateLimits;
  /** Tells the other processes to reload after a publish (several processes on one database). */
  announce?: (announcement: Announcement) => Promise<void>;
}

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');

/** Reads a question file on every preview, so an edited file counts without a restart. */
function questionsReader(path: string, logger: Logger): () => Promise<BenchQuestion[]> {
  return async () => {
    try {
      const { questions, problems } = parseQuestions(await readFile(path, 'utf8'), path);
      if (problems.length > 0) logger.warn('evaluation questions with problems', { path, problems: problems.slice(0, 5) });
      return questions;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // no such set: the page says what was not checked
      throw error;
    }
  };
}

/**
 * The web channel's composition root: builds the console's use cases from config and the
 * running core. Split from `startWebServer` so tests can call the app without a socket.
 */
export async function buildWebServices(deps: WebServerDeps): Promise<WebServices> {
  const { config, core, logger } = deps;
  const runtimeDir = resolve(config.RUNTIME_DIR);
  const historyDir = join(runtimeDir, 'history');
  // bootCore has recovered the knowledge folders; this also clears the history's leftover temps.
  await recoverKnowledgeFiles(core.paths, logger, [historyDir]);

  const { accounts, notes } = createAccounts(config);
  for (const note of notes) logger.warn(note);
  if (!config.SESSION_SECRET) logger.info('未设置 SESSION_SECRET：控制台登录在重启后失效');

  const lint = (kb: KnowledgeBase) => {
    const normalize = createNormalizer(kb.homophones, kb.bilingual);
    return lintKnowledge(kb, { normalize: (text) => normalize(text).text });
  };
  const drafts = await createDrafts({
    live: () => core.engine.knowledge(),
    lint,
    persistence: createDraftFile(join(runtimeDir, 'console-draft.json'), { logger }),
  });
  const history = createHistoryFiles(historyDir);
  const evalDir = resolve(deps.evalDir ?? 'eval');
  const heldout = questionsReader(deps.heldoutPath ? resolve(deps.heldoutPath) : join(evalDir, 'heldout.jsonl'), logger);
  const emergencySet = questionsReader(join(evalDir, 'emergency.jsonl'), logger);
  const falseAlarmSet = questionsReader(join(evalDir, 'false-alarms.jsonl'), logger);
  const publisher = createPublisher({
    core,
    drafts,
    writer: createKnowledgeWriter({ ...core.paths, historyDir }),
    history,
    queue: deps.knowledgeQueue,
    heldout,
    safety: async () => [
      { name: 'emergency', questions: await emergencySet() },
      { name: 'false_alarms', questions: await falseAlarmSet() },
    ],
    buildEngine: (kb) => core.buildEngine(kb),
    lint,
    logger,
    ...(deps.announce ? { announce: deps.announce } : {}),
  });

  const services: WebServices = {
    config,
    core,
    store: deps.store,
    logger,
    accounts,
    sessions: createSessions(config.SESSION_SECRET),
    limiter: deps.loginLimiter ?? createLoginLimiter({ max: config.LOGIN_MAX_FAILURES, windowMs: config.LOGIN_WINDOW_MINUTES * 60_000 }),
    ...(deps.chatLimits ? { chatLimits: deps.chatLimits } : {}),
    proxies: trustedProxies(config.TRUSTED_PROXIES),
    drafts,
    publisher,
    history,
    inbox: createInboxFeed({ store: deps.store, threshold: config.CONFIDENCE_THRESHOLD }),
    heldout,
    secureCookies: false,
    telegramWebhook: deps.telegramWebhook,
    ...(deps.conversation ? { conversation: deps.conversation } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    handoffs:
      deps.handoffs ??
      createHandoffDesk({
        store: deps.store,
        now: deps.now ?? (() => new Date()),
        hours: config.HANDOFF_HOURS,
        staffSeenMinutes: config.HANDOFF_STAFF_SEEN_MINUTES,
        telegramStaffGroup: config.STAFF_CHAT_ID !== undefined,
        logger,
      }),
  };
  return services;
}

export function loadConsoleFiles() {
  return loadPublicFiles(PUBLIC_DIR);
}

/** Serves the chat, the console and (when given) the Telegram webhook on PORT/HOST. */
export async function startWebServer(deps: WebServerDeps): Promise<{ url: string; close(): Promise<void> }> {
  const { config, logger } = deps;
  const services = await buildWebServices(deps);
  const app = createWebApp(services, await loadConsoleFiles());

  const server = await new Promise<ReturnType<typeof serve>>((ready, fail) => {
    const started = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => ready(started));
    started.once('error', fail);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('web console listening', { url, chat: `${url}/`, console: `${url}/console` });

  return {
    url,
    close: () =>
      new Promise<void>((done, fail) => {
        server.close((error) => (error ? fail(error) : done()));
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
