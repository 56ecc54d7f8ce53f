import { sleep } from './http.ts';
import type { ChannelLoad } from './load-summary.ts';
import { telegramLoad, type TelegramLoad } from './load-telegram.ts';
import { webLoad } from './load-web.ts';
import { createProject, startServer } from './server.ts';
import { startEmulator, telegramUser, type Emulator } from './telegram-users.ts';

/**
 * Load through the real paths: many Telegram users on the Bot API emulator, then many web chat
 * sessions, against one server process. Every step waits for its answer before the next, as a
 * person would; all users run at once.
 */

export type { ChannelLoad } from './load-summary.ts';
export type { TelegramLoad } from './load-telegram.ts';

export interface LoadOptions {
  telegramUsers: number;
  telegramMessages: number;
  webSessions: number;
  webMessages: number;
  seed: number;
  log?: (line: string) => void;
}

export interface LoadResult {
  telegram?: TelegramLoad;
  web?: ChannelLoad;
  /** VmHWM of the server process, sampled every second (so a server that dies still has one). */
  peakRssMiB?: number;
  /** Set when the server process ended during the run: how, and its last output. */
  serverDied?: { exit: number | string; output: string };
}

export async function loadTest(options: LoadOptions): Promise<LoadResult> {
  const log = options.log ?? (() => undefined);
  const project = await createProject('reliability-load-');
  const emulator = await startEmulator();
  const server = await startServer({ env: { ...project.env, ...emulator.env } });
  const result: LoadResult = {};
  let peakKiB = 0;
  const sampler = setInterval(() => {
    void server.peakRssKiB().then((kib) => (peakKiB = Math.max(peakKiB, kib ?? 0)));
  }, 1000);
  let stopping = false;
  void server.exited.then((exit) => {
    if (!stopping) result.serverDied = { exit, output: server.output().slice(-2000) };
  });
  try {
    await warmUp(emulator);
    if (options.telegramUsers > 0) {
      log(`load: ${options.telegramUsers} Telegram users × ${options.telegramMessages}`);
      result.telegram = await telegramLoad(emulator, options);
    }
    if (options.webSessions > 0) {
      log(`load: ${options.webSessions} web sessions × ${options.webMessages}`);
      result.web = await webLoad(server, options);
    }
    peakKiB = Math.max(peakKiB, (await server.peakRssKiB()) ?? 0);
    result.peakRssMiB = Math.round(peakKiB / 1024);
  } finally {
    clearInterval(sampler);
    stopping = true;
    await server.stop();
    await emulator.close();
    await project.remove();
  }
  return result;
}

/** The bot starts polling after the server says it is listening; wait for its first answer. */async function warmUp(emulator: Emulator): Promise<void> {
  const user = telegramUser(emulator, 999_999);
  await user.command('/start');
  const deadline = Date.now() + 60_000;
  while (user.inbox().length === 0) {
    if (Date.now() > deadline) throw new Error('the bot never answered /start through the emulator');
    await sleep(50);
  }
}
