import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../src/dialogue/messages.ts';
import { launchBrowser, startConsole } from './web/harness.ts';
import { TAP, contrast, controlColours, inViewport, opaque, runAxe, smallTargets } from './web/page-checks.ts';

/**
 * The citizen chat for older readers (MIIT 《互联网网站适老化通用设计规范》), measured in Debian's
 * Chromium: on a phone, at 200% zoom, with a 32 px default font and with 大字 on.
 *
 * - 200% zoom is emulated by its CSS-pixel viewport: a 1280×844 window at 200% lays out in
 *   640×422 CSS px (what zoom does to layout; media queries see the same width).
 * - The 32 px default font is Chromium's own setting, set over CDP with `Page.setFontSizes`
 *   (works in headless Debian chromium; a profile with `webkit.webprefs.default_font_size`
 *   in Default/Preferences does the same at launch).
 *
 * Screenshots: test-output/screenshots/elderly-*.png; the accessibility scans' findings:
 * test-output/elderly-axe.json.
 */

const SHOTS = 'test-output/screenshots';
const LONG_QUESTION = '法律援助怎么申请'; // three facts: folded after the first two
let app: Awaited<ReturnType<typeof startConsole>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let axeSource: string;
interface AxeFinding {
  passes: number;
  incomplete: string[];
  violations: Array<{ id: string; impact: string | null | undefined; nodes: number }>;
}
const axeFindings: Record<string, AxeFinding> = {};

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  app = await startConsole();
  browser = await launchBrowser();
});

afterAll(async () => {
  await writeFile('test-output/elderly-axe.json', `${JSON.stringify(axeFindings, null, 2)}\n`);
  await browser?.close();
  await app?.stop();
});

// ----- helpers -----

async function openChat(size: { width: number; height: number }, options: { fontSize?: number } = {}) {
  const page = await browser.context.newPage();
  await page.setViewportSize(size);
  if (options.fontSize) {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Page.setFontSizes', { fontSizes: { standard: options.fontSize, fixed: options.fontSize } });
  }
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(app.url);
  await page.locator('.msg.bot').first().waitFor(); // the topic menu greets
  // Each page starts a fresh conversation (the browser shares one chat cookie).
  await page.evaluate(() => fetch('/api/chat/forget', { method: 'POST' }));
  return page;
}

async function ask(page: Page, text: string): Promise<Locator> {
  const before = await page.locator('.msg.bot').count();
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
  const reply = page.locator('.msg.bot').nth(before);
  await reply.waitFor();
  return reply;
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/elderly-${name}.png` });

const px = (value: string) => Number.parseFloat(value);

/** Scans the page with axe-core; returns serious and critical violations (all are recorded). */
async function seriousViolations(page: Page, state: string) {
  const { violations, passes, incomplete } = await runAxe(page, axeSource);
  axeFindings[state] = { passes, incomplete, violations: violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.targets.length })) };
  expect(passes).toBeGreaterThan(10); // the scan looked at the page, not at an empty frame
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.targets.join(', ')}`);
}

// ----- tests -----

describe('elderly-friendly citizen chat (适老化)', () => {
  it('on a phone: 110 and 12348 stay in view as call links, every tap target is 44 px, contrast holds', async () => {
    const page = await openChat({ width: 390, height: 844 });
    for (const number of ['110', '12348']) {
      const link = page.locator(`header a[href="tel:${number}"]`);
      expect(await link.innerText()).toContain(number);
      expect(await inViewport(link)).toBe(true);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth - innerWidth)).toBeLessThanOrEqual(0);
    expect(await smallTargets(page)).toEqual([]); // topics, 大字, 主题, 清除记录, send, staff link

    const answer = await ask(page, LONG_QUESTION);
    await answer.locator('.rate button').first().waitFor();
    expect(await smallTargets(page)).toEqual([]); // follow-ups, 展开全文, 👍/👎 too

    // Control edges at least 3:1 against what is behind them, their labels 4.5:1.
    for (const control of await controlColours(page, 'button, a.hotline, #ask input')) {
      const edge = Math.max(contrast(control.border, control.behind), opaque(control.own) ? contrast(control.own, control.behind) : 0);
      expect(edge, `${control.label} edge`).toBeGreaterThanOrEqual(3);
      const fill = opaque(control.own) ? control.own : control.behind;
      if (control.label) expect(contrast(control.text, fill), `${control.label} text`).toBeGreaterThanOrEqual(4.5);
    }
    const [footer] = await controlColours(page, '.foot span');
    const [staff] = await controlColours(page, '.foot a');
    expect(contrast(footer!.text, footer!.behind)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(staff!.text, staff!.behind)).toBeGreaterThanOrEqual(4.5);

    expect(await seriousViolations(page, 'phone')).toEqual([]);
    await shot(page, 'phone');
    await page.close();
  });

  it('shows the first lines of a long answer, the rest behind 展开全文, and 来源 small but legible', async () => {
    const page = await openChat({ width: 390, height: 844 });
    const answer = await ask(page, LONG_QUESTION);
    const expand = answer.getByRole('button', { name: '展开全文' });
    expect(await expand.getAttribute('aria-expanded')).toBe('false');
    const folded = await answer.locator('.text').innerText();
    const whole = await answer.locator('.text').textContent();
    expect(folded.length).toBeLessThan(whole!.length * 0.85);
    // The answer begins with its first fact, in view at the top of the log.
    expect(await inViewport(answer.locator('.text p').first())).toBe(true);

    await expand.click();
    expect(await answer.locator('button.expand').getAttribute('aria-expanded')).toBe('true');
    const unfolded = await answer.locator('.text').innerText();
    expect(unfolded.length).toBeGreaterThan(folded.length);
    expect(await answer.locator('.text [hidden]').count()).toBe(0);
    await shot(page, 'phone-expanded');

    // 来源: its own line, smaller than the answer, and still 4.5:1.
    const source = answer.locator('.text .source');
    expect(await source.innerText()).toMatch(/^来源：《/);
    const [body, cite] = await Promise.all([
      answer.locator('.text p').first().evaluate((node) => getComputedStyle(node).fontSize),
      source.evaluate((node) => getComputedStyle(node).fontSize),
    ]);
    expect(px(cite)).toBeLessThan(px(body));
    const [colours] = await controlColours(page, '.msg.bot .text .source');
    expect(contrast(colours!.text, colours!.behind)).toBeGreaterThanOrEqual(4.5);

    await answer.locator('button.expand').click();
    expect(await answer.locator('button.expand').getAttribute('aria-expanded')).toBe('false');
    expect(await answer.locator('.text').innerText()).toBe(folded);
    await page.close();
  });

  it('makes every phone number in a reply a tel: link, and an emergency gets big call buttons', async () => {
    const page = await openChat({ width: 390, height: 844 });
    const hotline = await ask(page, '12348是什么电话');
    expect(await hotline.locator('.text a[href="tel:12348"]').count()).toBeGreaterThan(0);

    const emergency = await ask(page, '我老公正在打我');
    expect(await emergency.getAttribute('data-kind')).toBe('emergency');
    expect(await emergency.locator('.text a[href="tel:110"]').count()).toBeGreaterThan(0);
    expect(await emergency.locator('button.expand').count()).toBe(0); // what to do now is never folded
    // The call button heads the reply, in view as soon as it arrives.
    const call = emergency.locator('.calls a[href="tel:110"]');
    expect(await inViewport(call)).toBe(true);
    expect((await call.boundingBox())!.height).toBeGreaterThanOrEqual(TAP);
    expect(await smallTargets(page)).toEqual([]);
    await shot(page, 'phone-emergency');
    await page.close();
  });

  it('renders reply text as text, never as markup; a refusal shows the server message as a bot line', async () => {
    const page = await openChat({ width: 390, height: 844 });
    const markup = '<img src=x onerror="window.hacked=1"><b>粗体</b> 请拨打0798-1234567或12348';
    await page.route('**/api/chat', (route) => route.fulfill({
      json: {
        reply: { kind: 'answer', intent: 'hotline.what_is', topic: 'hotline', confidence: 1, text: markup, sources: [], suggestions: [], choices: [] },
        exchangeId: 'x',
      },
    }));
    const reply = await ask(page, '测试');
    expect(await reply.locator('img, b').count()).toBe(0);
    expect(await reply.locator('.text').textContent()).toContain('<b>粗体</b>');
    expect(await reply.locator('.text a.tel').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['tel:07981234567', 'tel:12348']);
    expect(await page.evaluate(() => 'hacked' in window)).toBe(false);

    await page.unroute('**/api/chat');
    await page.route('**/api/chat', (route) => route.fulfill({ status: 429, json: { error: '您发送得太快了，请稍后再试。紧急情况请拨打110。' } }));
    const refusal = await ask(page, '再问一次');
    expect(await refusal.innerText()).toContain('您发送得太快了');
    expect(await refusal.locator('a[href="tel:110"]').count()).toBe(1);
    await page.close();
  });

  it('links only runs that are phone numbers, and folds only what is long', async () => {
    const page = await openChat({ width: 390, height: 844 });
    // Imported by the page itself (a string, so the test runner does not rewrite the import).
    await page.evaluate("import('/assets/chat-text.js').then((module) => { window.chatText = module; })");
    const result = await page.evaluate(() => {
      type Piece = { text: string; tel?: string };
      const text = (window as unknown as { chatText: {
        SOURCE_PREFIX: string;
        phoneSegments(line: string): Piece[];
        splitReply(line: string, options?: { foldable: boolean }): { source: string | null; fold: unknown };
      } }).chatText;
      const cases = [
        '请拨打12348公共法律服务热线',
        '请马上拨打110报警；有人受伤拨打120；着火拨打119。交通事故报警电话是122',
        '12309、12315、12345都可以打',
        '江西乐平 0798-6712345 或 0798－6712345',
        '依照第110条，共受理12345件，合计110400元，2020年',
        '12348.5 不是号码，112348 也不是',
      ];
      const short = text.splitReply('请拨打12348。\n来源：《法律援助法》第一条');
      const long = `${'一'.repeat(100)}。\n${'二'.repeat(100)}。`;
      return {
        prefix: text.SOURCE_PREFIX,
        tels: cases.map((line) => text.phoneSegments(line).flatMap((piece) => piece.tel ?? [])),
        short: short.fold,
        source: short.source,
        long: text.splitReply(long).fold,
        unfoldable: text.splitReply(long, { foldable: false }).fold,
      };
    });
    expect(result.prefix).toBe(messages.sourcesPrefix); // the page finds the line the engine writes
    expect(result.tels).toEqual([
      ['12348'],
      ['110', '120', '119', '122'],
      ['12309', '12315', '12345'],
      ['07986712345', '07986712345'],
      [],
      [],
    ]);
    expect(result.short).toBeNull();
    expect(result.source).toBe('来源：《法律援助法》第一条');
    expect(result.long).toEqual({ paragraph: 1, chars: 0 });
    expect(result.unfoldable).toBeNull();
    await page.close();
  });

  it('at 200% zoom the header is one row, the log keeps half the screen and the greeting stays in view', async () => {
    const size = { width: 640, height: 422 }; // a 1280×844 window at 200%
    const page = await openChat(size);
    const box = async (selector: string) => (await page.locator(selector).boundingBox())!;
    const [header, log, title, hotlines, nav] = await Promise.all(['header', '#log', 'header h1', '.hotlines', 'header nav'].map(box));
    // One row: one tap target high plus padding, with title, hotlines and buttons side by side.
    expect(header!.height).toBeLessThan(2 * TAP);
    for (const part of [title!, hotlines!, nav!]) expect(part.y + part.height).toBeLessThanOrEqual(header!.y + header!.height);
    expect(log!.height).toBeGreaterThanOrEqual(size.height / 2);
    const greeting = await box('.msg.bot .text p');
    expect(greeting.y).toBeGreaterThanOrEqual(log!.y);
    expect(greeting.y + greeting.height).toBeLessThanOrEqual(log!.y + log!.height);
    for (const number of ['110', '12348']) expect(await inViewport(page.locator(`header a[href="tel:${number}"]`))).toBe(true);
    expect(await smallTargets(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - innerWidth)).toBeLessThanOrEqual(0);
    await shot(page, 'zoom-200');
    expect(await seriousViolations(page, 'zoom-200')).toEqual([]);

    const answer = await ask(page, LONG_QUESTION);
    expect(await inViewport(answer.locator('.text p').first())).toBe(true);
    await shot(page, 'zoom-200-answer');
    await page.close();
  });

  it('grows the answer text with the browser default font (32 px)', async () => {
    const sizes: string[] = [];
    for (const fontSize of [16, 32]) {
      const page = await openChat({ width: 1280, height: 900 }, { fontSize });
      const answer = await ask(page, LONG_QUESTION);
      sizes.push(await answer.locator('.text p').first().evaluate((node) => getComputedStyle(node).fontSize));
      if (fontSize === 32) {
        // The buttons grow with it: a topic button's label as large as the answer's text.
        const label = await answer.locator('.chips button').first().evaluate((node) => getComputedStyle(node).fontSize);
        expect(px(label)).toBeGreaterThanOrEqual(32);
        expect(await smallTargets(page)).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - innerWidth)).toBeLessThanOrEqual(0);
        await shot(page, 'font-32');
        expect(await seriousViolations(page, 'font-32')).toEqual([]);
      }
      await page.close();
    }
    expect(px(sizes[0]!)).toBeGreaterThanOrEqual(18); // the rule's floor for main text
    expect(px(sizes[1]!)).toBeCloseTo(px(sizes[0]!) * 2, 1);
  });

  it('大字 enlarges the whole chat further, says it is on, and stays on after a reload', async () => {
    const page = await openChat({ width: 390, height: 844 });
    const large = page.locator('#large');
    expect(await large.getAttribute('aria-pressed')).toBe('false');
    const fontSize = async (locator: Locator) => px(await locator.evaluate((node) => getComputedStyle(node).fontSize));
    const textSize = () => fontSize(page.locator('.msg.bot .text p').last());
    const buttonSize = () => fontSize(page.locator('.chips button').first());
    const [text, button] = [await textSize(), await buttonSize()];

    await large.click();
    expect(await large.getAttribute('aria-pressed')).toBe('true');
    expect(await textSize()).toBeGreaterThanOrEqual(text * 1.3);
    expect(await buttonSize()).toBeGreaterThanOrEqual(button * 1.3);

    await page.reload();
    await page.locator('.msg.bot').first().waitFor();
    expect(await page.locator('#large').getAttribute('aria-pressed')).toBe('true');
    expect(await textSize()).toBeGreaterThanOrEqual(text * 1.3);
    await ask(page, LONG_QUESTION);
    expect(await smallTargets(page)).toEqual([]);
    for (const number of ['110', '12348']) expect(await inViewport(page.locator(`header a[href="tel:${number}"]`))).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - innerWidth)).toBeLessThanOrEqual(0);
    await shot(page, 'large-text');
    expect(await seriousViolations(page, 'large-text')).toEqual([]);

    await page.locator('#large').click();
    await page.reload();
    await page.locator('.msg.bot').first().waitFor();
    expect(await page.locator('#large').getAttribute('aria-pressed')).toBe('false');
    expect(await textSize()).toBeCloseTo(text, 1);
    await page.close();
  });
});
