import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/adapters/postgres/connect.ts';
import { createKnowledgeChannel, type KnowledgeChannel } from '../../src/adapters/postgres/knowledge-channel.ts';
import type { KnowledgePublished } from '../../src/admin/follow-publishes.ts';
import { createTestSchema, SKIP_REASON, TEST_DATABASE_URL, type TestSchema } from '../support/postgres.ts';

if (!TEST_DATABASE_URL) {
  console.warn(`PostgreSQL publish notification tests ${SKIP_REASON}`);
  describe.skip(`PostgreSQL LISTEN/NOTIFY for publishes — ${SKIP_REASON}`, () => {
    it('tells the other processes to reload', () => {});
  });
} else {
  let db: TestSchema;
  let channelName: string;
  const channels: KnowledgeChannel[] = [];

  /** One process's listener; notifications go on a channel of this test's own. */
  async function listenAs(received: KnowledgePublished[], reconnected?: () => void) {
    const channel = createKnowledgeChannel({
      client: () => createClient({ url: db.url, logger: db.logger }),
      pool: db.pool(2),
      logger: db.logger,
      channel: channelName,
      onPublished: async (published) => {
        received.push(published);
      },
      onReconnected: async () => reconnected?.(),
    });
    channels.push(channel);
    await channel.start();
    return channel;
  }

  /** Resolves once `check` holds, polling the event loop (notifications arrive asynchronously). */
  async function until(check: () => boolean): Promise<void> {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  beforeEach(async () => {
    db = await createTestSchema();
    channelName = `knowledge_test_${randomBytes(4).toString('hex')}`;
  });
  afterEach(async () => {
    for (const channel of channels.splice(0)) await channel.close();
    await db.drop();
  });

  describe('publish notifications across processes', () => {
    it('reaches every other process, and the announcing one ignores its own', async () => {
      const atA: KnowledgePublished[] = [];
      const atB: KnowledgePublished[] = [];
      const atC: KnowledgePublished[] = [];
      const a = await listenAs(atA);
      await listenAs(atB);
      await listenAs(atC);
      await a.announce({ action: 'publish', entry: 'h1', version: 5, hash: 'abc' });
      await until(() => atB.length === 1 && atC.length === 1);
      expect(atB[0]).toEqual({ action: 'publish', entry: 'h1', version: 5, hash: 'abc', origin: a.origin });
      // Every listener hears a NOTIFY at the same commit: once B has the second, A would have both.
      await a.announce({ action: 'reload', version: 6, hash: 'def' });
      await until(() => atB.length === 2);
      expect(atA).toEqual([]);
    });

    it('reconnects when its connection drops, catches up, and hears the next publish', async () => {
      const atB: KnowledgePublished[] = [];
      let catchUps = 0;
      const a = await listenAs([]);
      await listenAs(atB, () => (catchUps += 1));
      const admin = db.pool(1);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1', [`LISTEN "${channelName}"`]);
      await until(() => catchUps >= 1);
      await a.announce({ action: 'publish', entry: 'h2', version: 2, hash: 'x' });
      await until(() => atB.length === 1);
      expect(atB[0]?.entry).toBe('h2');
    });
  });
}
