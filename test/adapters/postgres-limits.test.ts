import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/adapters/postgres/index.ts';
import { createPostgresLoginLimiter } from '../../src/adapters/postgres/login-limits.ts';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import { createPostgresRateLimits } from '../../src/adapters/postgres/rate-limits.ts';
import type { LoginGate } from '../../src/admin/login-limit.ts';
import { createTestSchema, SKIP_REASON, TEST_DATABASE_URL, type TestSchema } from '../support/postgres.ts';

/**
 * The chat and login limits shared by several bot processes on one database, each played by
 * its own pool and limiter in this test process (as main.ts builds them from DATABASE_URL).
 */

const MINUTE = 60_000;
const admin = (address: string, device?: string) => ({ user: 'admin', address, ...(device ? { device } : {}) });
const allowed = (gates: LoginGate<unknown>[]) => gates.filter((gate) => gate.ok);

if (!TEST_DATABASE_URL) {
  console.warn(`PostgreSQL limit tests ${SKIP_REASON}`);
  describe.skip(`PostgreSQL shared limits — ${SKIP_REASON}`, () => {
    it('shares the login limit across processes', () => {});
  });
} else {
  let db: TestSchema;
  const closers: (() => void)[] = [];
  // Real times, so the periodic purge (which reads the clock) agrees with the tests' windows.
  const t0 = Date.now();

  async function openProcess() {
    const pool = db.pool();
    await migrate(pool, db.logger);
    const login = createPostgresLoginLimiter({ pool, logger: db.logger, max: 5, windowMs: 10 * MINUTE });
    const chat = createPostgresRateLimits({ pool, logger: db.logger });
    closers.push(login.close, chat.close);
    return { login, chat };
  }

  beforeEach(async () => {
    db = await createTestSchema();
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) close();
    await db.drop();
  });

  describe('PostgreSQL shared login limit', () => {
    it('refuses the 6th attempt when five failures were split across two processes', async () => {
      const [one, two] = [await openProcess(), await openProcess()];
      for (const [index, limiter] of [one, two, one, two, one].entries()) {
        const gate = await limiter.login.begin(admin('203.0.113.9'), t0 + index);
        if (!gate.ok) throw new Error('expected a turn');
        await gate.finish('failure');
      }
      expect(await two.login.begin(admin('203.0.113.9'), t0 + 10)).toMatchObject({ ok: false, scope: 'address', retryAfterSeconds: 600 });
      expect(await one.login.begin(admin('203.0.113.9'), t0 + 10)).toMatchObject({ ok: false, scope: 'address' });
      expect((await one.login.begin(admin('198.51.100.1'), t0 + 10)).ok).toBe(true); // another address
      expect((await two.login.begin(admin('203.0.113.9'), t0 + 10 * MINUTE + 10)).ok).toBe(true); // the window passed
    });

    it('of a burst of 300 simultaneous attempts over two processes, five get to check a password', async () => {
      const [one, two] = [await openProcess(), await openProcess()];
      const gates = await Promise.all(Array.from({ length: 300 }, (_, index) => (index % 2 ? one : two).login.begin(admin('203.0.113.7'), t0)));
      expect(allowed(gates)).toHaveLength(5);
    });

    it('a staff login in one process does not reset the address’s guesses at another account in the other', async () => {
      const [one, two] = [await openProcess(), await openProcess()];
      for (let index = 0; index < 4; index += 1) {
        const gate = await one.login.begin(admin('10.0.0.1'), t0);
        if (gate.ok) await gate.finish('failure');
      }
      const staff = await two.login.begin({ user: 'staff', address: '10.0.0.1' }, t0);
      if (staff.ok) await staff.finish('success');
      const fifth = await two.login.begin(admin('10.0.0.1'), t0);
      if (fifth.ok) await fifth.finish('failure');
      expect(await one.login.begin(admin('10.0.0.1'), t0)).toMatchObject({ ok: false, scope: 'address' });
    });

    it('a success in one process clears the failures counted in the other, but attempts in flight keep counting', async () => {
      const [one, two] = [await openProcess(), await openProcess()];
      for (let index = 0; index < 3; index += 1) {
        const gate = await one.login.begin(admin('10.0.0.2'), t0);
        if (gate.ok) await gate.finish('failure');
      }
      const pending = await one.login.begin(admin('10.0.0.2'), t0);
      const right = await two.login.begin(admin('10.0.0.2'), t0);
      if (!right.ok || !pending.ok) throw new Error('expected turns');
      await right.finish('success');
      const opened = await Promise.all(Array.from({ length: 6 }, (_, index) => (index % 2 ? one : two).login.begin(admin('10.0.0.2'), t0)));
      expect(allowed(opened)).toHaveLength(4); // five minus the one still in flight
      await pending.finish('failure');
    });

    it('a trusted browser is counted on its own key, and an unchecked attempt costs nothing', async () => {
      const [one, two] = [await openProcess(), await openProcess()];
      for (let index = 0; index < 5; index += 1) {
        const gate = await (index % 2 ? one : two).login.begin({ user: `guess${index}`, address: '10.0.0.9' }, t0);
        if (gate.ok) await gate.finish('failure');
      }
      expect((await one.login.begin(admin('10.0.0.9'), t0)).ok).toBe(false);
      expect((await two.login.begin(admin('10.0.0.9', 'device-1'), t0)).ok).toBe(true);
      for (let index = 0; index < 10; index += 1) {
        const gate = await one.login.begin(admin('10.0.0.10'), t0);
        if (gate.ok) await gate.finish('unchecked');
      }
      expect((await two.login.begin(admin('10.0.0.10'), t0)).ok).toBe(true);
    });

    it('purges attempts whose window has passed', async () => {
      const { login } = await openProcess();
      const old = await login.begin(admin('10.1.1.1'), t0 - 11 * MINUTE);
      if (old.ok) await old.finish('failure');
      expect(await login.purge()).toBe(2); // the address's row and the account's
    });
  });

  describe('PostgreSQL shared chat rate limits', () => {
    const perAddress = (address: string) => ({ key: `chat-address:${address}`, limit: 4, perMs: MINUTE });

    it('two processes share one address’s allowance, and a refused request spends nothing', async () => {
      const [one, two] = [await openProcess(), await openProcess()];
      const results: number[][] = [];
      for (const process of [one, two, one, two, one]) results.push(await process.chat.admit([perAddress('203.0.113.5')], t0));
      expect(results.map(([wait]) => wait)).toEqual([0, 0, 0, 0, 15]); // one request back every 15 s
      expect(await two.chat.admit([perAddress('203.0.113.5')], t0 + 15_000)).toEqual([0]);
      // A second bucket that refuses keeps the first one's token.
      const newChats = { key: 'chat-new:198.51.100.3', limit: 1, perMs: 60 * MINUTE };
      expect(await one.chat.admit([perAddress('198.51.100.3'), newChats], t0)).toEqual([0, 0]);
      expect(await two.chat.admit([perAddress('198.51.100.3'), newChats], t0)).toEqual([0, 3600]);
      const left = await Promise.all([1, 2, 3, 4].map(() => one.chat.admit([perAddress('198.51.100.3')], t0)));
      expect(left.filter(([wait]) => wait === 0)).toHaveLength(3);
    });

    it('admits a simultaneous burst over two processes exactly `limit` times', async () => {
      const [one, two] = [await openProcess(), await openProcess()];
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, index) => (index % 2 ? one : two).chat.admit([{ key: 'chat-session:abc', limit: 20, perMs: MINUTE }], t0)),
      );
      expect(results.filter(([wait]) => wait === 0)).toHaveLength(20);
    });

    it('purges buckets that have refilled', async () => {
      const { chat } = await openProcess();
      await chat.admit([perAddress('192.0.2.1')], t0 - 2 * MINUTE);
      await chat.admit([perAddress('192.0.2.2')], Date.now());
      expect(await chat.purge()).toBe(1);
    });
  });

  describe('openPostgres (what main.ts passes to the web server with DATABASE_URL)', () => {
    it('gives two processes limits that share their counts', async () => {
      const open = () => openPostgres({ url: db.url, logger: db.logger, schema: db.schema, poolSize: 2 });
      const [one, two] = [await open(), await open()];
      try {
        const [a, b] = [one.loginLimiter({ max: 2, windowMs: 10 * MINUTE }), two.loginLimiter({ max: 2, windowMs: 10 * MINUTE })];
        for (const limiter of [a, b]) {
          const gate = await limiter.begin(admin('203.0.113.1'), t0);
          if (gate.ok) await gate.finish('failure');
        }
        expect((await a.begin(admin('203.0.113.1'), t0)).ok).toBe(false);
        const bucket = { key: 'chat-address:203.0.113.1', limit: 1, perMs: MINUTE };
        expect(await one.chatLimits.admit([bucket], t0)).toEqual([0]);
        expect(await two.chatLimits.admit([bucket], t0)).toEqual([60]);
      } finally {
        await one.close();
        await two.close();
      }
    });
  });
}
