import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { Client } from './http.ts';
import { XSS_PAYLOADS } from './payloads.ts';

/**
 * After the fuzzing, the pages that show citizens' text are opened in Debian's Chromium (as the
 * project's browser tests do) and asked whether any injected script ran (`window.__pwned`) or
 * any injected markup became elements (`[data-pwn]`, which the CSP would not stop).
 */

export interface BrowserCheckResult {
  skipped?: string;
  pages: { page: string; scriptsRan: number; injectedElements: number; payloadsShown: number; ms: number; error?: string }[];
  scriptsRan: number;
  injectedElements: number;
  /** Payloads visible as text on the pages: proof that the check looked at them at all. */
  payloadsShown: number;
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Puts every payload where a page will show it: citizen chats (inbox) and a draft example (knowledge). */
export async function seedPayloads(baseUrl: string, admin: Client): Promise<void> {
  const citizen = new Client(baseUrl);
  const ids: string[] = [];
  for (const payload of XSS_PAYLOADS) {
    const answer = await citizen.request<{ exchangeId?: string }>('POST', '/api/chat', { json: { text: payload } });
    if (answer.body?.exchangeId) ids.push(answer.body.exchangeId);
    if (answer.body?.exchangeId) await citizen.request('POST', '/api/chat/feedback', { json: { exchangeId: answer.body.exchangeId, value: 'down' } });
  }
  const draft = await admin.request<{ intents?: { item: { name: string } }[] }>('GET', '/api/admin/draft');
  const intent = draft.body?.intents?.[0]?.item.name;
  if (intent && ids[1]) await admin.request('POST', '/api/admin/inbox/add-example', { json: { exchangeIds: [ids[1]], intent, text: XSS_PAYLOADS[1] } });
  citizen.close();
}

/**
 * `admin` is a logged-in client whose session the browser borrows: a fresh login could be
 * refused by then, since the fuzzing sent the login limiter many wrong passwords.
 */
export async function checkPagesForInjection(baseUrl: string, admin: Client): Promise<BrowserCheckResult> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const result: BrowserCheckResult = { pages: [], scriptsRan: 0, injectedElements: 0, payloadsShown: 0 };
  if (!existsSync(executablePath)) return { ...result, skipped: `Chromium not found at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)` };
  const profile = await mkdtemp(join(tmpdir(), 'reliability-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS, locale: 'zh-CN' });
  try {
    await context.addCookies([...admin.cookies].map(([name, value]) => ({ name, value, url: baseUrl })));
    const session = await context.request.get(`${baseUrl}/api/session`);
    if (!session.ok()) return { ...result, skipped: `the admin session was not accepted by the browser (${session.status()})` };
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.dismiss());

    const visit = async (name: string, path: string, act?: (page: Page) => Promise<void>) => {
      const entry: BrowserCheckResult['pages'][number] = { page: name, scriptsRan: 0, injectedElements: 0, payloadsShown: 0, ms: 0 };
      const started = performance.now();
      try {
        await page.goto(`${baseUrl}${path}`, { waitUntil: 'networkidle', timeout: 30_000 });
        if (act) await act(page);
        await page.waitForTimeout(300); // onerror/onload handlers fire after the render
        entry.scriptsRan = await page.evaluate(() => Number((window as unknown as { __pwned?: number }).__pwned ?? 0));
        entry.injectedElements = await page.evaluate(() => document.querySelectorAll('[data-pwn]').length);
        const shown = await page.evaluate(() => document.body.innerText + [...document.querySelectorAll('input, textarea')].map((field) => (field as HTMLInputElement).value).join(' '));
        entry.payloadsShown = XSS_PAYLOADS.filter((payload) => shown.includes(payload)).length;
      } catch (error) {
        entry.error = String(error).split('\n')[0]?.slice(0, 200);
      }
      entry.ms = Math.round(performance.now() - started);
      result.pages.push(entry);
      result.scriptsRan += entry.scriptsRan;
      result.injectedElements += entry.injectedElements;
      result.payloadsShown += entry.payloadsShown;
    };

    await visit('inbox', '/console/inbox');
    await visit('knowledge', '/console/knowledge', async (current) => {
      // The editor shows an intent's examples only once it is opened: open the first one.
      await current.locator('#item-list > *').first().click({ timeout: 5_000 });
      await current.waitForTimeout(300);
    });
    await visit('bench', '/console/bench', async (current) => {
      for (const payload of XSS_PAYLOADS.slice(0, 3)) {
        await current.fill('#question', payload);
        await current.press('#question', 'Enter');
        await current.waitForSelector('#explanation', { timeout: 10_000 });
      }
      await current.setInputFiles('#batch-file', {
        name: 'payloads.jsonl',
        mimeType: 'application/jsonl',
        buffer: Buffer.from(XSS_PAYLOADS.map((text) => JSON.stringify({ text, topic: 'hotline' })).join('\n')),
      });
      await current.click('#batch-form button[type=submit]');
      await current.waitForSelector('#batch-report', { timeout: 20_000 });
    });
    // Not the publish page: it shows held-out questions, not citizens' text, and opening it
    // trains an engine for the draft (seconds of CPU).
    await visit('dashboard', '/console/dashboard');
    await visit('chat', '/', async (current) => {
      for (const payload of XSS_PAYLOADS.slice(0, 3)) {
        await current.fill('#text', payload);
        await current.press('#text', 'Enter');
        await current.waitForTimeout(400);
      }
    });
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
  return result;
}
