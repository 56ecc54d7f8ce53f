import { timingSafeEqual } from 'node:crypto';
import { Telegraf, type Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { RuntimeStore } from '../../admin/ports.ts';
import type { Conversation } from '../../chat/conversation.ts';
import { type CitizenNotice, createHandoffDesk, type HandoffDesk } from '../../chat/handoffs.ts';
import type { Config } from '../../config.ts';
import type { KeyedQueue } from '../../lib/keyed-queue.ts';
import type { Logger } from '../../lib/logger.ts';
import { deliverToCitizen } from './features/handoff.ts';
import { createUpdateHandler } from './handler.ts';
import type { ChatApi, TelegramCore, UpdateDeduper } from './ports.ts';
import { installRetry } from './retry.ts';
import { TEXTS } from './texts.ts';

/**
 * The Telegram channel: the only file that touches telegraf. It owns the bot's life cycle
 * (polling or webhook), the 429 retry on every outgoing call, the one error boundary
 * (bot.catch), and the bookkeeping that lets stop() finish updates in flight.
 */

export interface TelegramChannel {
  start(): Promise<void>;
  stop(): Promise<void>;
  handleWebhookUpdate(update: unknown, secretToken: string | undefined): Promise<{ status: number }>;
  /** Sends a staff reply typed on 在线咨询, or the close of a case, to a citizen's Telegram chat. */
  notifyCitizen(chatKey: string, notice: CitizenNotice): Promise<void>;
}

export interface TelegramChannelDeps {
  config: Config;
  core: TelegramCore;
  store: RuntimeStore;
  logger: Logger;
  /** The queue publishes run in (see admin/publish.ts reloadKnowledge). */
  knowledgeQueue: KeyedQueue;
  now?: () => Date;
  /** The chat turn shared with the web chat. */
  conversation?: Conversation;
  /** The handoff desk shared with the web console (main.ts wires its push to notifyCitizen). */
  handoffs?: HandoffDesk;
  /** Shared by every process when several answer this bot; default in memory. */
  updates?: UpdateDeduper;
}

/** For main.ts to print when BOT_TOKEN is not set. */
export const TELEGRAM_OFF_NOTICE =
  'Telegram 渠道未启用：没有设置 BOT_TOKEN。在 Telegram 里找 @BotFather 创建机器人，把得到的令牌写入 .env 的 BOT_TOKEN 后重新运行 npm start（详见 docs/telegram.md）。';

const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const;

export function createTelegramChannel(deps: TelegramChannelDeps): TelegramChannel {
  const { config, logger } = deps;
  if (!config.BOT_TOKEN) throw new Error('createTelegramChannel needs BOT_TOKEN');
  const bot = new Telegraf(config.BOT_TOKEN, {
    telegram: config.TELEGRAM_API_ROOT ? { apiRoot: config.TELEGRAM_API_ROOT } : {},
    handlerTimeout: 60_000,
  });
  const retry = {
    onRetry: (info: { method: string; retryAfter: number; attempt: number; reason: string }) =>
      logger.warn(info.reason === 'network' ? 'telegram call failed on the network: retrying' : 'telegram rate limit: waiting', info),
  };
  installRetry(bot.telegram as unknown as Parameters<typeof installRetry>[0], retry);

  const now = deps.now ?? (() => new Date());
  const notifyCitizen = (chatKey: string, notice: CitizenNotice) => deliverToCitizen(chatApi(bot.telegram, logger), chatKey, notice);
  const handoffs =
    deps.handoffs ??
    createHandoffDesk({
      store: deps.store,
      now,
      hours: config.HANDOFF_HOURS,
      staffSeenMinutes: config.HANDOFF_STAFF_SEEN_MINUTES,
      telegramStaffGroup: config.STAFF_CHAT_ID !== undefined,
      notify: notifyCitizen,
      logger,
    });
  const handle = createUpdateHandler({ ...deps, handoffs, now });
  const inFlight = new Set<Promise<unknown>>();
  let stopping = false;
  let mode: 'off' | 'polling' | 'webhook' = 'off';
  let polling: Promise<void> | undefined;

  bot.use(async (ctx) => {
    // telegraf builds a new Telegram object per update, so the retry is installed on each.
    installRetry(ctx.telegram as unknown as Parameters<typeof installRetry>[0], retry);
    const task = handle(ctx.update, chatApi(ctx.telegram, logger), { id: ctx.botInfo.id, username: ctx.botInfo.username });
    inFlight.add(task);
    try {
      await task;
    } finally {
      inFlight.delete(task);
    }
  });

  bot.catch(async (error, ctx) => {
    logger.error('telegram handler failed', { updateId: ctx.update.update_id, error });
    const chatId = ctx.chat?.id ?? ctx.callbackQuery?.message?.chat.id;
    try {
      if (ctx.callbackQuery) await ctx.telegram.answerCbQuery(ctx.callbackQuery.id).catch(() => undefined);
      if (chatId !== undefined) await ctx.telegram.sendMessage(chatId, TEXTS.error);
    } catch (sendError) {
      logger.error('could not send the apology', { updateId: ctx.update.update_id, error: sendError });
    }
  });

  return {
    async start() {
      bot.botInfo = await bot.telegram.getMe();
      await registerCommands(bot.telegram, logger);
      if (config.WEBHOOK_URL) {
        await bot.telegram.setWebhook(config.WEBHOOK_URL, {
          secret_token: config.WEBHOOK_SECRET,
          allowed_updates: [...ALLOWED_UPDATES],
        });
        mode = 'webhook';
        logger.info('telegram bot started (webhook)', { bot: bot.botInfo.username, url: config.WEBHOOK_URL });
        return;
      }
      mode = 'polling';
      polling = bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] }).catch((error: unknown) => {
        logger.error('telegram polling stopped with an error', { error });
      });
      logger.info('telegram bot started (long polling)', { bot: bot.botInfo.username });
    },

    async stop() {
      if (stopping) return;
      stopping = true;
      if (mode === 'polling') {
        await stopPolling(bot);
        await polling;
      }
      await Promise.allSettled([...inFlight]);
      await deps.store.flush();
      logger.info('telegram bot stopped', { mode });
      mode = 'off';
    },

    notifyCitizen,

    async handleWebhookUpdate(update, secretToken) {
      if (mode !== 'webhook') return { status: 404 };
      if (!sameSecret(config.WEBHOOK_SECRET, secretToken)) return { status: 401 };
      if (stopping) return { status: 503 };
      if (typeof update !== 'object' || update === null || typeof (update as { update_id?: unknown }).update_id !== 'number') {
        return { status: 400 };
      }
      await bot.handleUpdate(update as Update);
      return { status: 200 };
    },
  };
}

/**
 * launch() needs a round trip (deleteWebhook) before polling exists, and telegraf's stop()
 * throws until then; a shutdown right after start waits for it rather than leaving the loop on.
 */
async function stopPolling(bot: Telegraf): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      bot.stop('shutdown');
      return;
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function registerCommands(telegram: Telegram, logger: Logger): Promise<void> {
  const commands = Object.entries(TEXTS.commandsMenu).map(([command, description]) => ({ command, description }));
  try {
    await telegram.setMyCommands(commands);
  } catch (error) {
    // Not fatal: the commands still work when typed; some Bot API emulators lack this method.
    logger.warn('setMyCommands failed; the command menu is not registered', { error });
  }
}

function sameSecret(expected: string | undefined, given: string | undefined): boolean {
  if (!expected) return true;
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function chatApi(telegram: Telegram, logger: Logger): ChatApi {
  return {
    async send(chatId, messages, options = {}) {
      const ids: number[] = [];
      for (const [index, message] of messages.entries()) {
        const sent = await telegram.sendMessage(chatId, message.html, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...(message.keyboard ? { reply_markup: { inline_keyboard: message.keyboard } } : {}),
          ...(options.replyTo !== undefined && index === 0
            ? { reply_parameters: { message_id: options.replyTo, allow_sending_without_reply: true } }
            : {}),
        });
        ids.push(sent.message_id);
      }
      return ids;
    },
    async answerCallback(queryId, text) {
      // A late or repeated answer fails at Telegram ("query is too old"); the citizen has
      // already moved on, so this is logged, not raised.
      await telegram.answerCbQuery(queryId, text).catch((error: unknown) => logger.debug('answerCallbackQuery failed', { error }));
    },
    async setKeyboard(chatId, messageId, keyboard) {
      await telegram
        .editMessageReplyMarkup(chatId, messageId, undefined, keyboard ? { inline_keyboard: keyboard } : undefined)
        .catch((error: unknown) => logger.debug('editMessageReplyMarkup failed', { error }));
    },
  };
}
