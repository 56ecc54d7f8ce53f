import { mkdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, startConsole } from './web/harness.ts';

/**
 * 对话记录 and the dashboard in Debian's Chromium, after a citizen chats on the web and two
 * Telegram chats are in the store: filter by channel, open a transcript, see the per-channel split,
 * download the CSV. Screenshots go to test-output/.
 */

const SHOTS = 'test-output';
let app: Awaited<ReturnType<typeof startConsole>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

async function askChat(chat: Page, text: string) {
  const before = await chat.locator('.msg.bot').count();
  await chat.fill('#text', text);
  await chat.press('#text', 'Enter');
  const reply = chat.locator('.msg.bot').nth(before);
  await reply.waitFor();
  return reply;
}

/** A Telegram chat as the bot stores it (the Telegram side has its own end-to-end test). */
async function telegramChat(chatId: number, turns: [text: string, intent: string, kind?: 'answer' | 'handoff' | 'clarify'][]) {
  for (const [text, intent, kind = 'answer'] of turns) {
    await app.store.recordExchange({
      at: new Date().toISOString(),
      channel: 'telegram',
      chatKey: `telegram:${chatId}`,
      text,
      intent,
      topic: intent === 'none' ? 'none' : intent.split('.')[0]!,
      confidence: intent === 'none' ? 0.1 : 0.85,
      kind,
      decidedBy: intent === 'none' ? 'fallback' : kind === 'handoff' ? 'rule' : 'classifier',
      reply: intent === 'none' ? '抱歉，我没听懂。您可以换个说法，或拨打12348。' : '（机器人的回答）',
    });
  }
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  app = await startConsole();
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('对话记录 and the dashboard in a browser', () => {
  it('lists conversations, filters by channel, opens a transcript; the dashboard splits per channel and downloads a CSV', async () => {
    // A citizen on the web: two questions, a 👍 on the first answer.
    const chat = await browser.context.newPage();
    await chat.goto(app.url);
    await chat.locator('.msg.bot').first().waitFor();
    const answer = await askChat(chat, '法律援助怎么申请');
    await answer.getByRole('button', { name: '👍 有帮助' }).click();
    await answer.locator('.rate', { hasText: '谢谢您的反馈' }).waitFor();
    await askChat(chat, '12348热线几点上班');
    await chat.close();
    await telegramChat(101, [['行政复议怎么申请', 'reconsideration.how_to_apply'], ['那个我家的事情咋办', 'none', 'clarify'], ['转人工', 'handoff.request', 'handoff']]);
    await telegramChat(102, [['赣服通怎么用', 'ganfutong.what_is']]);

    await page.goto(`${app.url}/login`);
    await page.fill('#user', 'staff');
    await page.fill('#password', 'staff-Tulip-3958');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/console\//);

    await page.click('header nav a:has-text("对话记录")');
    await page.locator('#conversation-list').waitFor();
    expect(await page.locator('tr.conversation').count()).toBe(3);
    expect(await page.locator('#channel option:checked').innerText()).toBe('全部（3）');
    await shot('conversations');

    await page.selectOption('#channel', 'telegram');
    await page.click('#filters button[type=submit]');
    await expect.poll(() => page.locator('tr.conversation').count()).toBe(2);
    expect(await page.locator('tr.conversation td.channel').allInnerTexts()).toEqual(['Telegram', 'Telegram']);
    expect(page.url()).toContain('channel=telegram');

    await page.selectOption('#channel', 'web');
    await page.click('#filters button[type=submit]');
    await expect.poll(() => page.locator('tr.conversation td.channel').allInnerTexts()).toEqual(['网页']);
    await page.locator('tr.conversation').first().click();
    const transcript = page.locator('#transcript');
    await transcript.locator('.exchange').nth(1).waitFor();
    expect(await transcript.locator('.said.user .text').allInnerTexts()).toEqual(['法律援助怎么申请', '12348热线几点上班']);
    const first = transcript.locator('.exchange').first();
    expect(await first.locator('.intent').innerText()).toMatch(/^legal_aid\./);
    expect(await first.locator('.decision').innerText()).toContain('置信度');
    expect(await first.locator('.vote').innerText()).toContain('👍');
    expect(await first.locator('.said.bot .text').innerText()).toContain('法律援助');
    await shot('transcript');
    expect(await page.locator('#list').innerText()).not.toContain('null');
    // The address keeps the filters and the open conversation: a reload (or a shared link) shows both.
    await page.reload();
    await transcript.locator('.exchange').nth(1).waitFor();
    expect(await page.locator('#channel').inputValue()).toBe('web');

    await page.click('header nav a:has-text("看板")');
    await page.locator('#channel-table').waitFor();
    const rows = await page.locator('#channel-table tbody tr').allInnerTexts();
    expect(rows.map((row) => row.split('\t').slice(0, 3))).toEqual([
      ['网页', '2', '1'],
      ['Telegram', '4', '2'],
    ]);
    expect(await page.locator('#handoffs').innerText()).toBe('1');
    expect(await page.locator('#unanswered').innerText()).toContain('那个我家的事情咋办');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    expect(download.suggestedFilename()).toMatch(/^dashboard-.*\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv).toContain('网页,2,1,0,0,1,0');
    expect(csv).toContain('Telegram,4,2,1,1,0,0');
    await shot('dashboard');
  }, 120_000);
});
