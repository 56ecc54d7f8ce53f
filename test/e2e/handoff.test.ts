import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeStore } from '../../src/adapters/runtime-store.ts';
import type { RuntimeStore } from '../../src/admin/ports.ts';
import { bootCore, type CoreServices } from '../../src/bootstrap.ts';
import { createConversation } from '../../src/chat/conversation.ts';
import { createHandoffDesk } from '../../src/chat/handoffs.ts';
import { createTelegramChannel, type TelegramChannel } from '../../src/channels/telegram/bot.ts';
import { startWebServer } from '../../src/channels/web/server.ts';
import { loadConfig } from '../../src/config.ts';
import { createKeyedQueue } from '../../src/lib/keyed-queue.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { type ApiProxy, startApiProxy } from './telegram/api-proxy.ts';
import { freePort, type Harness, TOKEN, userOf } from './telegram/harness.ts';
import { launchBrowser } from './web/harness.ts';

/**
 * 转人工 end to end, composed as main.ts composes it: one store and one handoff desk shared by
 * the web chat, the console's 在线咨询 page and the real telegraf bot against the Bot API
 * emulator, with Debian's Chromium for the citizen's chat and the staff page. No STAFF_CHAT_ID:
 * Telegram handoffs are answered from the page. Screenshots go to test-output/.
 */

const OUT = 'test-output';
const REPO = resolve(import.meta.dirname, '../..');
let root: string;
let core: CoreServices;
let emulator: TelegramServer;
let proxy: ApiProxy;
let store: RuntimeStore;
let telegram: TelegramChannel;
let web: { url: string; close(): Promise<void> };
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let staffPage: Page;

/** The web server and bot over `runtimeDir`, wired like main.ts. */
async function compose(runtimeDir: string, env: Record<string, string>) {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    INTENTS_DIR: join(root, 'intents'),
    DATA_DIR: join(root, 'data'),
    RUNTIME_DIR: runtimeDir,
    LOG_LEVEL: 'silent',
    ADMIN_USER: 'admin',
    ADMIN_PASSWORD: 'admin-Orchid-7421',
    STAFF_USER: 'staff',
    STAFF_PASSWORD: 'staff-Tulip-3958',
    SESSION_SECRET: 'handoff-e2e-secret',
    ...env,
  });
  const logger = createLogger('silent');
  const runtime = await createRuntimeStore({ dir: runtimeDir, logger });
  let bot: TelegramChannel | undefined;
  const handoffs = createHandoffDesk({
    store: runtime,
    now: () => new Date(),
    hours: config.HANDOFF_HOURS,
    staffSeenMinutes: config.HANDOFF_STAFF_SEEN_MINUTES,
    telegramStaffGroup: config.STAFF_CHAT_ID !== undefined,
    ...(config.BOT_TOKEN ? { notify: (chatKey, notice) => bot!.notifyCitizen(chatKey, notice) } : {}),
    logger,
  });
  const knowledgeQueue = createKeyedQueue();
  const conversation = createConversation({ engine: () => core.engine, store: runtime, now: () => new Date(), contextTtlMinutes: 30, handoffs });
  bot = config.BOT_TOKEN ? createTelegramChannel({ config, core, store: runtime, logger, conversation, handoffs, knowledgeQueue }) : undefined;
  const server = await startWebServer({ config, core, store: runtime, logger, conversation, handoffs, knowledgeQueue, heldoutPath: join(root, 'none.jsonl') });
  return { store: runtime, bot, server };
}

async function login(page: Page, url: string) {
  await page.goto(`${url}/login?next=/console/handoffs`);
  await page.fill('#user', 'staff');
  await page.fill('#password', 'staff-Tulip-3958');
  await page.click('button[type=submit]');
  await page.waitForURL(/\/console\/handoffs/);
}

/** Says something in the web chat and returns the bot's answer to it. */
async function ask(chat: Page, text: string) {
  const before = await chat.locator('.msg.bot').count();
  await chat.fill('#text', text);
  await chat.press('#text', 'Enter');
  const answer = chat.locator('.msg.bot').nth(before);
  await answer.waitFor();
  return answer.locator('.text').innerText();
}

beforeAll(async () => {
  await mkdir(OUT, { recursive: true });
  root = await mkdtemp(join(tmpdir(), 'handoff-e2e-'));
  await cp(join(REPO, 'intents'), join(root, 'intents'), { recursive: true });
  await cp(join(REPO, 'data'), join(root, 'data'), { recursive: true, filter: (source) => !source.includes(join(REPO, 'data', 'runtime')) });
  core = await bootCore({ intentsDir: join(root, 'intents'), dataDir: join(root, 'data'), cacheDir: join(root, 'cache') });
  emulator = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 600 });
  await emulator.start();
  proxy = await startApiProxy(emulator.config.apiURL);
  const composed = await compose(join(root, 'runtime'), { BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: proxy.url, HANDOFF_HOURS: '每天 00:00-24:00' });
  store = composed.store;
  telegram = composed.bot!;
  web = composed.server;
  await telegram.start();
  browser = await launchBrowser();
  staffPage = await browser.context.newPage();
  staffPage.on('dialog', (dialog) => void dialog.accept()); // 已结束 asks to confirm
  await login(staffPage, web.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await telegram?.stop();
  await web?.close();
  await store?.close();
  await proxy?.close();
  await emulator?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('转人工 between the citizen and 在线咨询', () => {
  it('web chat: the case appears on 在线咨询, the staff reply appears in the citizen’s chat, and so does the close', async () => {
    const chat = await browser.context.newPage();
    await chat.setViewportSize({ width: 420, height: 860 });
    await chat.goto(web.url);
    await chat.locator('.msg.bot').first().waitFor();
    await ask(chat, '我的电话是13812345678，单位拖欠了我三个月工资怎么办');
    const told = await ask(chat, '转人工');
    expect(told).toContain('会直接在这个对话里回复您');

    const card = staffPage.locator('.handoff', { hasText: '138****5678' });
    await card.waitFor({ timeout: 20_000 }); // the page refreshes every few seconds
    expect(await card.innerText()).not.toContain('13812345678');
    expect(await card.locator('header').innerText()).toContain('网页访客');
    expect(await card.locator('.waiting').innerText()).toContain('已等待');

    await card.locator('textarea.reply').fill('您好，我是值班的工作人员。欠薪可以先向劳动保障监察投诉，也可以申请劳动仲裁。');
    await card.locator('button.send').click();
    const reply = chat.locator('.msg.staff', { hasText: '欠薪可以先向劳动保障监察投诉' });
    await reply.waitFor({ timeout: 20_000 }); // the chat asks every few seconds
    expect(await reply.locator('.who').innerText()).toBe('工作人员');
    await expect.poll(() => card.locator('.thread li.staff').count(), { timeout: 20_000 }).toBe(1);
    await staffPage.screenshot({ path: `${OUT}/handoff-console.png`, fullPage: true });
    await chat.screenshot({ path: `${OUT}/handoff-chat.png`, fullPage: true });

    await card.locator('button.close').click();
    await chat.locator('.msg.bot.closed').waitFor({ timeout: 20_000 });
    expect(await chat.locator('.msg.bot.closed').innerText()).toContain('工作人员已结束本次人工咨询');
    await expect.poll(() => staffPage.locator('.handoff', { hasText: '138****5678' }).count(), { timeout: 20_000 }).toBe(0);
    await chat.close();
  }, 120_000);

  it('Telegram: the case appears on 在线咨询 and a reply typed there reaches the citizen’s Telegram chat', async () => {
    const citizen = userOf({ server: emulator } as unknown as Harness, { userId: 4242 });
    await citizen.say('转人工');
    const [told] = await citizen.replies(1, 20_000);
    expect(told?.text).toContain('已为您转接人工');

    const card = staffPage.locator('.handoff', { hasText: 'Telegram 用户 4242' });
    await card.waitFor({ timeout: 20_000 });
    await card.locator('textarea.reply').fill('您好，请问是什么方面的法律问题？');
    await card.locator('button.send').click();
    const [delivered] = await citizen.replies(1, 20_000);
    expect(delivered?.text).toContain('工作人员回复');
    expect(delivered?.text).toContain('您好，请问是什么方面的法律问题？');

    // The citizen's answer shows up in the case on the page.
    await citizen.say('是工伤赔偿的问题');
    await citizen.replies(1, 20_000);
    await card.locator('.thread li.citizen', { hasText: '是工伤赔偿的问题' }).waitFor({ timeout: 20_000 });

    await card.locator('button.close').click();
    const [closed] = await citizen.replies(1, 20_000);
    expect(closed?.text).toContain('已结束本次人工咨询');
  }, 120_000);

  it('outside the service hours the web chat says so and gives 12348', async () => {
    // A window that starts two hours from now in 乐平 (UTC+8), so now is outside it.
    const hour = (new Date().getUTCHours() + 8 + 2) % 24;
    const window = `每天 ${String(hour).padStart(2, '0')}:00-${String(hour + 1).padStart(2, '0')}:00`;
    const closed = await compose(join(root, 'runtime-closed'), { HANDOFF_HOURS: window });
    try {
      await login(staffPage, closed.server.url); // someone on the page does not change the hours
      const chat = await browser.context.newPage();
      await chat.goto(closed.server.url);
      await chat.locator('.msg.bot').first().waitFor();
      const told = await ask(chat, '转人工');
      expect(told).toContain(`现在不是在线人工服务时间（${window}）`);
      expect(told).toContain('12348');
      expect(told).not.toContain('会直接在这个对话里回复您');
      await chat.screenshot({ path: `${OUT}/handoff-outside-hours.png`, fullPage: true });
      await chat.close();
    } finally {
      await closed.server.close();
      await closed.store.close();
    }
  }, 120_000);
});
