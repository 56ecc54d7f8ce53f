import { readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../../src/adapters/postgres/migrate.ts';
import { createPostgresStore } from '../../src/adapters/postgres/store.ts';
import type { RuntimeStore } from '../../src/admin/ports.ts';
import { createTestSchema, SKIP_REASON, TEST_DATABASE_URL, type TestSchema } from '../support/postgres.ts';
import { exchange, state, storeContract } from './store-contract.ts';

if (!TEST_DATABASE_URL) {
  console.warn(`PostgreSQL store tests ${SKIP_REASON}`);
  describe.skip(`PostgreSQL runtime store — ${SKIP_REASON}`, () => {
    it('runs the store contract against PostgreSQL', () => {});
  });
} else {
  let db: TestSchema;
  const stores: RuntimeStore[] = [];
  /** A store on its own pool, migrated first: what one bot process opens at start-up. */
  const openProcess = async (options: Partial<Parameters<typeof createPostgresStore>[0]> = {}) => {
    const pool = db.pool();
    await migrate(pool, db.logger);
    const store = await createPostgresStore({ pool, logger: db.logger, ...options });
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    db = await createTestSchema();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await db.drop();
  });

  storeContract('PostgreSQL', { open: () => openProcess(), reopen: () => openProcess() });

  describe('PostgreSQL store: several processes', () => {
    it('two processes see each other’s writes at once', async () => {
      const one = await openProcess();
      const two = await openProcess();
      await one.saveState('telegram:1', state('2024-05-01T08:00:00.000Z', 'a.one'));
      const stored = await one.recordExchange(exchange());
      await two.recordFeedback({ exchangeId: stored.id, at: stored.at, chatKey: 'telegram:1', value: 'up', intent: stored.intent });
      await two.setInboxStatus([stored.id], 'done');
      await one.saveHandoff(9, 'telegram:1');

      expect((await two.getState('telegram:1'))?.lastIntent).toBe('a.one');
      expect(await two.findExchange(stored.id)).toEqual(stored);
      expect((await one.feedback()).map((item) => item.value)).toEqual(['up']);
      expect(await one.inboxStatuses()).toEqual({ [stored.id]: 'done' });
      expect(await two.findHandoff(9)).toBe('telegram:1');
      await two.forget('telegram:1');
      expect(await one.findExchange(stored.id)).toBeUndefined();
    });

    it('ids stay unique when two processes store exchanges at the same moment', async () => {
      const one = await openProcess();
      const two = await openProcess();
      const stored = await Promise.all(
        Array.from({ length: 100 }, (_, index) => (index % 2 ? one : two).recordExchange(exchange({ text: `问题${index}` }))),
      );
      expect(new Set(stored.map((item) => item.id)).size).toBe(100);
      expect(await one.exchanges()).toHaveLength(100);
    });

    it('expires sessions silent for longer than the context TTL, and only those', async () => {
      let clock = new Date('2024-05-01T08:00:00.000Z');
      const store = await openProcess({ sessionTtlMinutes: 30, now: () => clock });
      await store.saveState('web:old', state('2024-05-01T08:00:00.000Z'));
      clock = new Date('2024-05-01T08:50:00.000Z');
      await store.saveState('web:new', state('2024-05-01T08:50:00.000Z'));
      expect(await store.expireSessions(new Date('2024-05-01T09:00:00.000Z'))).toBe(1);
      expect(await store.getState('web:old')).toBeUndefined();
      expect(await store.getState('web:new')).toBeDefined();
    });

    it('purges in batches and takes the inbox statuses of purged exchanges with them', async () => {
      const store = await openProcess({ purgeBatch: 3 });
      const old = await Promise.all(Array.from({ length: 7 }, () => store.recordExchange(exchange({ at: '2024-01-01T08:00:00.000Z' }))));
      const recent = await store.recordExchange(exchange({ at: '2024-05-01T08:00:00.000Z' }));
      await store.setInboxStatus([old[0]!.id, recent.id], 'done');
      expect(await store.purgeOlderThan(30, new Date('2024-05-02T00:00:00Z'))).toBe(7);
      expect((await store.exchanges()).map((item) => item.id)).toEqual([recent.id]);
      expect(await store.inboxStatuses()).toEqual({ [recent.id]: 'done' });
    });
  });

  describe('PostgreSQL migrations', () => {
    it('running them again is a no-op, and so is running them from two processes at once', async () => {
      const first = db.pool();
      const second = db.pool();
      const [a, b] = await Promise.all([migrate(first, db.logger), migrate(second, db.logger)]);
      // Exactly one of the two applied them; the other waited for the lock and found them done.
      const names = (await readdir(MIGRATIONS_DIR)).filter((name) => name.endsWith('.sql')).sort();
      expect([a.applied.length, b.applied.length].sort()).toEqual([0, names.length]);
      const again = await migrate(first, db.logger);
      expect(again).toEqual({ applied: [], alreadyApplied: names.length });
      const { rows } = await first.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
      expect(rows.map((row) => row.name)).toEqual(names);
    });

    it('a failing migration leaves nothing half-applied', async () => {
      const pool = db.pool();
      const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
      const { tmpdir } = await import('node:os');
      const path = await import('node:path');
      const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
      try {
        await writeFile(path.join(dir, '001_ok.sql'), 'CREATE TABLE IF NOT EXISTS ok_table (id int);');
        await writeFile(path.join(dir, '002_broken.sql'), 'CREATE TABLE broken (;');
        await expect(migrate(pool, db.logger, dir)).rejects.toThrow(/002_broken\.sql/);
        const { rows } = await pool.query(`SELECT to_regclass('ok_table') AS found`);
        expect(rows[0].found).toBeNull();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
