import { existsSync } from 'node:fs';
import { DatabaseUnavailableError } from './adapters/postgres/connect.ts';
import { openPostgres } from './adapters/postgres/index.ts';
import { createRuntimeStore } from './adapters/runtime-store.ts';
import { FolderLockedError } from './adapters/runtime/folder-lock.ts';
import { assertStrongPasswords } from './admin/auth.ts';
import { announcementOf, followPublishes } from './admin/follow-publishes.ts';
import { createConversation } from './chat/conversation.ts';
import { createHandoffDesk } from './chat/handoffs.ts';
import { bootCore } from './bootstrap.ts';
import { createTelegramChannel, TELEGRAM_OFF_NOTICE, type TelegramChannel } from './channels/telegram/bot.ts';
import { startWebServer } from './channels/web/server.ts';
import { ConfigError, loadConfig } from './config.ts';
import { KnowledgeError } from './engine.ts';
import { formatIssue } from './lib/issues.ts';
import { createKeyedQueue } from './lib/keyed-queue.ts';
import { createLogger } from './lib/logger.ts';

/**
 * Composition root of `npm start`: config → knowledge → engine → store (embedded, or PostgreSQL
 * with DATABASE_URL) → web console (always)
 * → Telegram (when BOT_TOKEN is set). SIGINT/SIGTERM stop taking updates, finish those in
 * flight, flush the store and exit 0.
 */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  assertStrongPasswords(config);
  const logger = createLogger(config.LOG_LEVEL);

  const core = await bootCore({
    intentsDir: config.INTENTS_DIR,
    dataDir: config.DATA_DIR,
    threshold: config.CONFIDENCE_THRESHOLD,
    margin: config.AMBIGUITY_MARGIN,
    contextTtlMinutes: config.CONTEXT_TTL_MINUTES,
    logger,
  });
  const kb = core.engine.knowledge();
  logger.info('knowledge loaded', { intents: kb.intents.length, facts: kb.facts.length });

  // One queue for everything that rewrites or reloads the knowledge: console publishes and
  // rollbacks, and Telegram's /reload.
  const knowledgeQueue = createKeyedQueue();
  // PostgreSQL when DATABASE_URL is set (several processes may share it); otherwise the
  // embedded store, which needs no service and admits one process per RUNTIME_DIR.
  const postgres = config.DATABASE_URL
    ? await openPostgres({
        url: config.DATABASE_URL,
        logger,
        poolSize: config.DATABASE_POOL_SIZE,
        retentionDays: config.RETENTION_DAYS,
        sessionTtlMinutes: config.CONTEXT_TTL_MINUTES,
      })
    : undefined;
  const store =
    postgres?.store ??
    (await createRuntimeStore({
      dir: config.RUNTIME_DIR,
      logger,
      retentionDays: config.RETENTION_DAYS,
      sessionTtlMinutes: config.CONTEXT_TTL_MINUTES,
    }));
  logger.info('runtime store', { kind: postgres ? 'postgres' : 'embedded' });
  if (postgres && config.BOT_TOKEN && !config.WEBHOOK_URL) {
    // Telegram gives updates to one long-polling client at a time (409 Conflict for the others).
    logger.warn('使用 DATABASE_URL 运行多个进程时，Telegram 必须用 webhook（设置 WEBHOOK_URL）：长轮询同一时间只能有一个进程（见 docs/scale-out.md）');
  }
  // One handoff desk: cases from both channels on the console's 在线咨询 page. A reply typed
  // there reaches a Telegram citizen through the Telegram channel, built just below; without
  // BOT_TOKEN there is none, and such a reply is refused rather than stored unsent.
  let telegram: TelegramChannel | undefined;
  const handoffs = createHandoffDesk({
    store,
    now: () => new Date(),
    hours: config.HANDOFF_HOURS,
    staffSeenMinutes: config.HANDOFF_STAFF_SEEN_MINUTES,
    telegramStaffGroup: config.STAFF_CHAT_ID !== undefined,
    ...(config.BOT_TOKEN ? { notify: (chatKey, notice) => telegram!.notifyCitizen(chatKey, notice) } : {}),
    logger,
  });
  // One chat turn (and one per-chat queue) for every channel.
  const conversation = createConversation({
    engine: () => core.engine,
    store,
    now: () => new Date(),
    contextTtlMinutes: config.CONTEXT_TTL_MINUTES,
    handoffs,
    // Several processes on one database: a chat's turns never interleave across them.
    ...(postgres ? { chatLock: postgres.chatLock } : {}),
  });
  // Several processes: a publish (or /reload) in one reaches the others, which reload too.
  const follow = followPublishes(core, logger);
  const knowledge = postgres
    ? await postgres.followKnowledge({ onPublished: follow.onPublished, onReconnected: follow.catchUp })
    : undefined;
  const telegramCore = knowledge
    ? {
        engine: core.engine,
        async reload() {
          const swapped = await core.reload();
          if (swapped.ok) await knowledge.announce(announcementOf(core, 'reload')).catch((error: unknown) => logger.error('other processes were not told to reload', { error }));
          return swapped;
        },
      }
    : core;
  telegram = config.BOT_TOKEN
    ? createTelegramChannel({ config, core: telegramCore, store, logger, conversation, handoffs, knowledgeQueue, ...(postgres ? { updates: postgres.updates } : {}) })
    : undefined;
  const web = await startWebServer({
    config,
    core,
    store,
    logger,
    conversation,
    handoffs,
    knowledgeQueue,
    ...(telegram ? { telegramWebhook: telegram.handleWebhookUpdate } : {}),
    ...(knowledge ? { announce: knowledge.announce } : {}),
    // Several processes on one database: the chat's and the console login's limits are counted
    // once for all of them, not once per process.
    ...(postgres
      ? {
          chatLimits: postgres.chatLimits,
          loginLimiter: postgres.loginLimiter({ max: config.LOGIN_MAX_FAILURES, windowMs: config.LOGIN_WINDOW_MINUTES * 60_000 }),
        }
      : {}),
  });
  process.stdout.write(`乐平市公共法律服务问答助手已启动：网页聊天和工作台 ${web.url}\n`);
  if (telegram) {
    try {
      await telegram.start();
      process.stdout.write(`Telegram 渠道已启用（${config.WEBHOOK_URL ? 'webhook' : '长轮询'}）。\n`);
    } catch (error) {
      // A bad token or an unreachable Bot API must not take the web chat down with it.
      logger.error('Telegram 渠道启动失败，网页聊天和工作台继续运行', { error });
    }
  } else {
    process.stdout.write(`${TELEGRAM_OFF_NOTICE}\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    try {
      await telegram?.stop(); // stop taking updates, finish those in flight
      await web.close();
      await (postgres ?? store).close();
    } catch (error) {
      logger.error('error while stopping', { error });
      process.exitCode = 1;
    }
    process.exit(process.exitCode ?? 0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n请对照 .env.example 修改环境变量或 .env 文件。\n`);
  } else if (error instanceof FolderLockedError || error instanceof DatabaseUnavailableError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof KnowledgeError) {
    for (const issue of error.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    process.stderr.write(`${error.message}，无法启动：请修正上面的问题（npm run check 可单独检查）。\n`);
  } else {
    process.stderr.write(`启动失败：${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
