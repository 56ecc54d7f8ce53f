import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startConsole } from './web/harness.ts';

/**
 * The bench and the editor in Chromium, as an admin sees them: topics and intents by Chinese
 * name (id in small type), a GBK file from Excel read, typos in a batch file reported by line,
 * facts and follow-ups picked by their Chinese text, and every form error shown at once.
 */

let app: Awaited<ReturnType<typeof startConsole>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

beforeAll(async () => {
  await mkdir('test-output', { recursive: true });
  app = await startConsole();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(`${app.url}/login`);
  await page.fill('#user', 'admin');
  await page.fill('#password', 'admin-Orchid-7421');
  await page.click('button[type=submit]');
  await page.waitForURL(/\/console\//);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** '问题,主题\n赣服通是什么,ganfutong\n' as Excel saves it on a Chinese Windows (GBK). */
const GBK_CSV = Buffer.from('cecacce22cd6f7cce20ab8d3b7fecda8cac7cab2c3b42c67616e6675746f6e670a', 'hex');

async function upload(name: string, buffer: Buffer) {
  await page.setInputFiles('#batch-file', { name, mimeType: 'text/csv', buffer });
  await page.click('#batch-form button[type=submit]');
  await page.locator('#batch-report').waitFor();
}

describe('staff see Chinese names', () => {
  it('on the bench: the answer, the batch topics, the unscored lines and the answers', async () => {
    await page.goto(`${app.url}/console/bench`);
    await page.fill('#question', '法律援助怎么申请');
    await page.click('#ask-form button[type=submit]');
    await page.locator('#explanation').waitFor();
    expect(await page.locator('#answer-intent .name').innerText()).toBe('法律援助怎么申请？');
    expect(await page.locator('#answer-intent .id').innerText()).toBe('legal_aid.how_to_apply');

    await upload('excel.csv', GBK_CSV);
    expect(await page.locator('#encoding-note').innerText()).toContain('GBK');
    expect(await page.locator('#batch-report details').textContent()).toContain('赣服通是什么'); // closed: not innerText

    const csv = [
      '编号,问题,预期',
      'A1,法律援助怎么申请,legal_aid',
      'A2,12348热线是干什么的,hotline',
      'A3,邻居吵架能找人调解吗,人民调解',
      'A4,请不起律师怎么办,legal_aide',
      'A5,法律援助怎么申请,environment',
    ].join('\n');
    await upload('questions.csv', Buffer.from(csv));
    expect(await page.locator('#problems').innerText()).toContain('第 5 行：未知的主题或意图 legal_aide');
    const topics = await page.locator('#topic-table tbody').innerText();
    expect(topics).toContain('法律援助');
    expect(topics).toContain('legal_aid');
    expect(topics).toContain('生态环境');
    const miss = page.locator('#misses tr[data-id="A5"]');
    expect(await miss.innerText()).toContain('生态环境');
    expect(await miss.locator('.answer').innerText()).toContain('法律援助');
    await page.screenshot({ path: 'test-output/bench-chinese.png', fullPage: true });
  });

  it('in the editor: facts and follow-ups picked by their Chinese text, every error at once', async () => {
    await page.goto(`${app.url}/console/knowledge`);
    await page.fill('#search', 'legal_aid.how_to_apply');
    await page.click('#item-list button[data-id="legal_aid.how_to_apply"]');
    const facts = page.locator('#intent-form .picker[data-name=facts]');
    await facts.waitFor();
    const chosen = await facts.locator('li').count();
    expect(chosen).toBeGreaterThan(0);
    expect(await facts.locator('li .name').first().innerText()).toMatch(/[\u4e00-\u9fff]{4}/);

    await facts.locator('.picker-search').fill('值班律师');
    const option = facts.locator('.picker-options option').first();
    expect(await option.innerText()).toContain('值班律师');
    await facts.locator('.picker-search').press('Enter');
    expect(await facts.locator('li').count()).toBe(chosen + 1);

    const followups = page.locator('#intent-form .picker[data-name=followups]');
    await followups.locator('.picker-search').fill('调解');
    expect(await followups.locator('.picker-options option').first().innerText()).toMatch(/调解.* — mediation\./);

    // Two mistakes at once: both are listed, each under the field's Chinese name.
    await page.fill('#intent-form input[name=description]', '');
    await page.fill('#intent-form textarea[name=examples]', '法律援助怎么申请');
    await page.click('#intent-form button[type=submit]');
    const issues = page.locator('#issue-list');
    await issues.waitFor();
    const text = await issues.innerText();
    expect(text).toContain('说明：说明不能为空');
    expect(text).toContain('例句：至少需要12条例句');
    expect(await page.locator('#intent-form textarea[name=examples]').getAttribute('aria-invalid')).toBe('true');
    await facts.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-output/editor-pickers.png', fullPage: true });
  });
});
