import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { startApiProxy, type ApiProxy } from '../../test/e2e/telegram/api-proxy.ts';
import { freePort } from './server.ts';

/**
 * Citizens on Telegram, driven through the Bot API emulator (telegram-test-api) exactly as the
 * project's e2e tests do, with the real bot running inside the server process. Replies are
 * taken from the emulator as the bot sends them; callback answers (the 👍 toast) from the
 * proxy between the bot and the emulator.
 */

export const BOT_TOKEN = '123456:RELIABILITY-harness_token';
export const STAFF_CHAT_ID = -1001;

export interface BotMessage {
  message_id: number;
  chat_id: number | string;
  text: string;
  reply_markup?: { inline_keyboard?: { text: string; callback_data: string }[][] };
}

export interface Arrival {
  message: BotMessage;
  at: number;
}

export interface Emulator {
  server: TelegramServer;
  proxy: ApiProxy;
  /** Env for the server: where its bot finds the Bot API. */
  env: Record<string, string>;
  inbox(chatId: number): Arrival[];
  /** When the bot answered callback query `id` (answerCallbackQuery), each time it did. */
  acknowledgements(id: string): number[];
  close(): Promise<void>;
}

export async function startEmulator(): Promise<Emulator> {
  // Updates the bot has not fetched are dropped after storeTimeout; keep them for the whole run.
  const server = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 3600 });
  await server.start();
  const proxy = await startApiProxy(server.config.apiURL);
  const inboxes = new Map<string, Arrival[]>();
  const acks = new Map<string, number[]>();

  // addBotMessage pushes, then emits synchronously: the last stored message is this one.
  server.on('AddedBotMessage', () => {
    const stored = server.storage.botMessages[server.storage.botMessages.length - 1];
    if (!stored) return;
    const message = { ...(stored.message as unknown as BotMessage), message_id: stored.messageId };
    const key = String(message.chat_id);
    const list = inboxes.get(key) ?? [];
    list.push({ message, at: performance.now() });
    inboxes.set(key, list);
  });
  // The proxy records every call; take the callback answers and keep the list from growing.
  const harvest = setInterval(() => {
    for (const call of proxy.calls.splice(0)) {
      if (call.method === 'answerCallbackQuery') {
        const id = String(call.body.callback_query_id);
        acks.set(id, [...(acks.get(id) ?? []), performance.now()]);
      }
    }
  }, 5);

  return {
    server,
    proxy,
    env: { BOT_TOKEN, TELEGRAM_API_ROOT: proxy.url, STAFF_CHAT_ID: String(STAFF_CHAT_ID) },
    inbox: (chatId) => {
      const key = String(chatId);
      if (!inboxes.has(key)) inboxes.set(key, []);
      return inboxes.get(key)!;
    },
    acknowledgements: (id) => acks.get(id) ?? [],
    async close() {
      clearInterval(harvest);
      await proxy.close();
      await server.stop();
    },
  };
}

/** One citizen: sends through the emulator's client API and finds its own callback query ids. */
export function telegramUser(emulator: Emulator, userId: number) {
  const client = emulator.server.getClient(BOT_TOKEN, { userId, chatId: userId, firstName: `用户${userId}`, timeout: 30_000 });
  const claimed = new Set<number>();
  return {
    userId,
    inbox: () => emulator.inbox(userId),
    say: (text: string) => client.sendMessage(client.makeMessage(text)),
    command: (text: string) => client.sendCommand(client.makeCommand(text)),
    /** Presses an inline button; returns the callback query id the bot will answer. */
    async press(callbackData: string, messageId: number): Promise<string | undefined> {
      await client.sendCallback(client.makeCallbackQuery(callbackData, { message: { message_id: messageId } } as never));
      const updates = emulator.server.storage.userMessages;
      for (let index = updates.length - 1; index >= 0; index -= 1) {
        const update = updates[index] as { callbackId?: number; callbackQuery?: { data?: string; from?: { id?: number } } };
        if (update.callbackId === undefined || claimed.has(update.callbackId)) continue;
        if (update.callbackQuery?.data === callbackData && update.callbackQuery.from?.id === userId) {
          claimed.add(update.callbackId);
          return String(update.callbackId);
        }
      }
      return undefined;
    },
  };
}
