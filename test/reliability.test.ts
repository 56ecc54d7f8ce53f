import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPagesForInjection, seedPayloads } from '../scripts/reliability/browser-check.ts';
import { crashSafety } from '../scripts/reliability/crash.ts';
import { fuzzEngine } from '../scripts/reliability/fuzz-engine.ts';
import { fuzzHttp, startFuzzServer, type FuzzServer } from '../scripts/reliability/fuzz-http.ts';
import { INBOX_BENCH, inboxBench } from '../scripts/reliability/inbox.ts';
import { loadTest } from '../scripts/reliability/load.ts';
import { loginBurst } from '../scripts/reliability/login-burst.ts';
import { stateGrowth } from '../scripts/reliability/state-growth.ts';

/**
 * `npm run bench -- --reliability`, small and seeded, as a test: the same black-box harness
 * (real server processes, the Bot API emulator, Chromium) with the behavioural outcomes asserted
 * — nothing crashes, nothing acknowledged is lost, every restart works — and never a timing.
 * The figures behind a failure are in the message (the result object), so a red run says what
 * was lost and where.
 */

const SEED = 20261130;

describe('reliability: fuzz', () => {
  it('the engine survives hostile input: no exception, every reply valid UTF-8 and within one Telegram message', async () => {
    const result = await fuzzEngine({ cases: 2_000, seed: SEED });
    expect(result.cases).toBe(2_000);
    expect({ crashes: result.crashes, illFormed: result.illFormedReplies, overLong: result.overLongReplies, examples: result.examples })
      .toEqual({ crashes: 0, illFormed: 0, overLong: 0, examples: [] });
  }, 60_000);

  describe('over HTTP', () => {
    let target: FuzzServer;
    beforeAll(async () => {
      target = await startFuzzServer();
    }, 120_000);
    afterAll(async () => {
      await target?.stop();
    });

    it('no route answers 5xx, drops a request, or takes the server down', async () => {
      const result = await fuzzHttp(target, { cases: 300, seed: SEED, expensiveCases: 1 });
      expect(result.cases).toBe(300);
      expect({ serverErrors: result.serverErrors, crashes: result.serverCrashes, unanswered: result.unanswered, examples: result.examples.filter((example) => example.status !== 0 || !/EPIPE|ECONNRESET/.test(example.body)) })
        .toEqual({ serverErrors: 0, crashes: 0, unanswered: 0, examples: [] });
    }, 180_000);

    it("no injected script runs and no injected markup renders on the pages that show citizens' text", async () => {
      await seedPayloads(target.server.url, target.admin);
      const result = await checkPagesForInjection(target.server.url, target.admin);
      expect(result.skipped).toBeUndefined();
      expect(result.payloadsShown).toBeGreaterThan(0); // the pages did show the payloads, as text
      expect({ scriptsRan: result.scriptsRan, injectedElements: result.injectedElements, errors: result.pages.filter((page) => page.error) })
        .toEqual({ scriptsRan: 0, injectedElements: 0, errors: [] });
    }, 120_000);
  });
});

describe('reliability: crash safety', () => {
  it('kill -9 during chat and publishes: starts every time, files parse and validate, nothing acknowledged is lost', async () => {
    const result = await crashSafety({ chatKills: 5, publishKills: 3, clients: 20, seed: SEED });
    expect(result.kills).toMatchObject({ chat: 5, publish: 3 });
    expect(result.restarts).toBe(8);
    expect(result.acknowledged.exchanges).toBeGreaterThan(0);
    expect({
      startFailures: result.startFailures,
      repairs: result.repairs,
      validationFailures: result.validationFailures,
      unparseableAfterKill: result.unparseableAfterKill,
      corruptFiles: result.corruptFiles,
      lostExchanges: result.lost.exchanges,
      lostPublishes: result.lost.publishes,
    }).toEqual({ startFailures: 0, repairs: [], validationFailures: 0, unparseableAfterKill: 0, corruptFiles: [], lostExchanges: 0, lostPublishes: 0 });
    // Apart, so a loss of ratings alone reads as exactly that.
    expect({ lostRatings: result.lost.ratings, of: result.acknowledged.ratings }).toEqual({ lostRatings: 0, of: result.acknowledged.ratings });
  }, 240_000);
});

describe('reliability: load through the real paths', () => {
  it('every Telegram and web message gets its answer, once', async () => {
    const result = await loadTest({ telegramUsers: 20, telegramMessages: 5, webSessions: 20, webMessages: 5, seed: SEED });
    expect(result.serverDied).toBeUndefined();
    const telegram = result.telegram!;
    const web = result.web!;
    expect(telegram.expected).toBe(100);
    expect(web.expected).toBe(100);
    expect({ lost: telegram.lost, duplicated: telegram.duplicated, unexpected: telegram.unexpectedMessages, handoffsLost: telegram.handoffs - telegram.handoffsDelivered, examples: telegram.examples })
      .toEqual({ lost: 0, duplicated: 0, unexpected: 0, handoffsLost: 0, examples: [] });
    expect({ lost: web.lost, duplicated: web.duplicated, examples: web.examples }).toEqual({ lost: 0, duplicated: 0, examples: [] });
  }, 120_000);
});

describe('reliability: state growth', () => {
  it('many saved conversations flush and come back after a reopen', async () => {
    const result = await stateGrowth({ sessions: 2_000, steadySaves: 500 });
    expect(result.missingAfterReopen).toBe(0);
  }, 60_000);
});

describe('reliability: login burst', () => {
  it('a burst of wrong passwords gets only 401/429, and the chat keeps answering meanwhile', async () => {
    const result = await loginBurst({ attempts: 60, rightAt: 58 });
    const unexpected = Object.keys(result.statuses).filter((status) => !['200', '401', '429'].includes(status));
    expect(unexpected).toEqual([]);
    expect(result.chat.during.failed).toBe(0);
  }, 120_000);
});

describe('reliability: inbox', () => {
  it.runIf(existsSync(INBOX_BENCH))('the inbox benchmark runs', async () => {
    const result = await inboxBench({ messages: 500 });
    expect(result).toHaveProperty('result');
  }, 120_000);
});
