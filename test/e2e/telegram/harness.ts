import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
// The package's index sets module.exports to the class, which TS under NodeNext cannot type; the
// class's own module exports it by name.
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { createRuntimeStore } from '../../../src/adapters/runtime-store.ts';
import type { RuntimeStore } from '../../../src/admin/ports.ts';
import { createTelegramChannel, type TelegramChannel } from '../../../src/channels/telegram/bot.ts';
import type { TelegramCore } from '../../../src/channels/telegram/ports.ts';
import { loadConfig } from '../../../src/config.ts';
import { createKeyedQueue } from '../../../src/lib/keyed-queue.ts';
import { createLogger, type Logger } from '../../../src/lib/logger.ts';
import { type ApiProxy, startApiProxy } from './api-proxy.ts';

export const TOKEN = '123456:TEST-token_for-emulator';
export const BOT_ID = 666; // what telegram-test-api's getMe returns
export const BOT_USERNAME = 'TestNameBot';

export interface BotMessage {
  message_id: number;
  text: string;
  chat_id: number | string;
  parse_mode?: string;
  reply_markup?: { inline_keyboard?: { text: string; callback_data: string }[][] };
  reply_parameters?: { message_id: number };
}

type Server = TelegramServer;

export interface Harness {
  server: Server;
  proxy: ApiProxy;
  runtimeDir: string;
  logLines: string[];
  store: RuntimeStore;
  channel: TelegramChannel;
  env: Record<string, string>;
  /** Stops the bot and opens a new store and bot on the same runtime dir. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(core: TelegramCore, env: Record<string, string> = {}): Promise<Harness> {
  const port = await freePort();
  const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
  await server.start();
  const proxy = await startApiProxy(server.config.apiURL);
  const runtimeDir = await mkdtemp(path.join(tmpdir(), 'tg-e2e-'));
  const logLines: string[] = [];
  const logger: Logger = createLogger('debug', (line) => logLines.push(line));
  const fullEnv = { BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: proxy.url, RUNTIME_DIR: runtimeDir, ...env };
  const config = loadConfig(fullEnv);

  const knowledgeQueue = createKeyedQueue();
  const boot = async () => {
    const store = await createRuntimeStore({ dir: runtimeDir, logger });
    const channel = createTelegramChannel({ config, core, store, logger, knowledgeQueue });
    await channel.start();
    return { store, channel };
  };

  const harness: Harness = {
    server,
    proxy,
    runtimeDir,
    logLines,
    env: fullEnv,
    ...(await boot()),
    async restart() {
      await harness.channel.stop();
      Object.assign(harness, await boot());
    },
    async close() {
      await harness.channel.stop();
      await proxy.close();
      await server.stop();
      await rm(runtimeDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A citizen (or staff member) talking to the bot through the emulator's client API. */
export function userOf(harness: Harness, options: { userId: number; chatId?: number; type?: 'private' | 'group' | 'supergroup'; firstName?: string }) {
  const chatId = options.chatId ?? options.userId;
  const client = harness.server.getClient(TOKEN, {
    userId: options.userId,
    chatId,
    type: options.type ?? 'private',
    firstName: options.firstName ?? `用户${options.userId}`,
    chatTitle: options.type && options.type !== 'private' ? '工作群' : undefined,
    timeout: 8000,
  });
  let lastSeen = 0;

  const unread = (): BotMessage[] => {
    const history = harness.server.storage.botMessages as unknown as { botToken: string; messageId: number; message: BotMessage }[];
    const mine = history.filter((item) => item.botToken === TOKEN && String(item.message.chat_id) === String(chatId) && item.messageId > lastSeen);
    return mine.map((item) => ({ ...item.message, message_id: item.messageId }));
  };

  return {
    chatId,
    client,
    async say(text: string, extra: Record<string, unknown> = {}) {
      await client.sendMessage(client.makeMessage(text, extra as never));
    },
    async command(text: string) {
      await client.sendCommand(client.makeCommand(text));
    },
    async send(fields: Record<string, unknown>) {
      const message = client.makeMessage(undefined as unknown as string, fields as never);
      await client.sendMessage(message as never);
    },
    async press(button: { callback_data: string }, messageId?: number) {
      await client.sendCallback(client.makeCallbackQuery(button.callback_data, { message: { message_id: messageId } } as never));
    },
    /** Waits until the bot has sent at least `count` new messages to this chat; returns them. */
    async replies(count = 1, timeoutMs = 8000): Promise<BotMessage[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = unread();
        if (found.length >= count) {
          // Give a trailing message of the same answer a moment to arrive too.
          await new Promise((resolve) => setTimeout(resolve, 60));
          const all = unread();
          lastSeen = Math.max(lastSeen, ...all.map((message) => message.message_id));
          return all;
        }
        if (Date.now() > deadline) {
          throw new Error(`bot sent ${found.length} of ${count} expected messages to chat ${chatId}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    /** Whatever arrived so far, without waiting (for "the bot stayed silent"). */
    drain(): BotMessage[] {
      const all = unread();
      if (all.length > 0) lastSeen = Math.max(lastSeen, ...all.map((message) => message.message_id));
      return all;
    },
  };
}

export type TestUser = ReturnType<typeof userOf>;

export function buttons(message: BotMessage | undefined): { text: string; callback_data: string }[] {
  return message?.reply_markup?.inline_keyboard?.flat() ?? [];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
