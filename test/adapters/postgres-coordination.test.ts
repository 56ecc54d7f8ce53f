import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChatLock } from '../../src/adapters/postgres/chat-lock.ts';
import { LOCK_SPACE } from '../../src/adapters/postgres/lock-space.ts';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import { createPostgresStore } from '../../src/adapters/postgres/store.ts';
import { createUpdateClaims } from '../../src/adapters/postgres/update-claims.ts';
import type { RuntimeStore } from '../../src/admin/ports.ts';
import { createConversation } from '../../src/chat/conversation.ts';
import { createUpdateHandler } from '../../src/channels/telegram/handler.ts';
import type { ChatApi } from '../../src/channels/telegram/ports.ts';
import { loadConfig } from '../../src/config.ts';
import type { DialogueState, EngineInput, EngineResult } from '../../src/dialogue/types.ts';
import type { Engine } from '../../src/engine-types.ts';
import { createKeyedQueue } from '../../src/lib/keyed-queue.ts';
import { createTestSchema, SKIP_REASON, TEST_DATABASE_URL, type TestSchema } from '../support/postgres.ts';

/**
 * Several bot processes on one database, each played by its own pools, store, chat lock and
 * update claims in this test process (as main.ts builds them from DATABASE_URL).
 */

/** An engine that counts the chat's turns in its state: a lost update shows as a wrong count. */
const countingEngine = {
  respond(input: EngineInput, state: DialogueState | undefined, now = new Date()): EngineResult {
    const turns = (state?.turns ?? 0) + 1;
    const text = input.kind === 'text' ? input.text : input.kind;
    return {
      reply: { kind: 'answer', intent: 'hotline.what_is', topic: 'hotline', confidence: 0.9, text: `第${turns}次回答：${text}`, sources: [], suggestions: [], choices: [] },
      state: { turns, history: [...(state?.history ?? []), { role: 'user', text }].slice(-50), updatedAt: now.toISOString() } as DialogueState,
      trace: { normalized: text, tokens: [], ranked: [], threshold: 0.3, decidedBy: 'classifier', otherIntents: [], facts: [] },
    };
  },
} as unknown as Engine;

if (!TEST_DATABASE_URL) {
  console.warn(`PostgreSQL coordination tests ${SKIP_REASON}`);
  describe.skip(`PostgreSQL chat locks and update dedupe — ${SKIP_REASON}`, () => {
    it('keeps one chat’s turns in order across processes', () => {});
  });
} else {
  let db: TestSchema;
  const closers: (() => Promise<void> | void)[] = [];

  /** What one bot process opens: store, chat lock and update claims on pools of their own. */
  async function openProcess() {
    const queries = db.pool();
    await migrate(queries, db.logger);
    const store: RuntimeStore = await createPostgresStore({ pool: queries, logger: db.logger });
    const chatLock = createChatLock({ pool: db.pool(), logger: db.logger });
    const claims = createUpdateClaims({ pool: db.pool(), logger: db.logger });
    closers.push(() => claims.close(), () => store.close());
    const conversation = createConversation({ engine: () => countingEngine, store, now: () => new Date(), contextTtlMinutes: 30, chatLock });
    return { store, chatLock, claims, conversation };
  }

  beforeEach(async () => {
    db = await createTestSchema();
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await db.drop();
  });

  describe('per-chat lock across processes', () => {
    it('a second process waits for the chat’s turn in the first; other chats go on', async () => {
      const one = await openProcess();
      const two = await openProcess();
      const events: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));

      const first = one.chatLock.run('telegram:1', async () => {
        events.push('one: start');
        entered();
        await held;
        events.push('one: end');
      });
      await inside;
      const second = two.chatLock.run('telegram:1', async () => {
        events.push('two: start');
      });
      // Another chat is not held up by telegram:1 (and this gives `second` time to run if the
      // lock did not hold).
      await two.chatLock.run('telegram:2', async () => {
        events.push('two: other chat');
      });
      await two.store.findExchange('nothing'); // one more round trip on the second process
      release();
      await Promise.all([first, second]);
      expect(events).toEqual(['one: start', 'two: other chat', 'one: end', 'two: start']);
    });

    it('two conversation instances on one database never interleave a chat’s turns', async () => {
      const one = await openProcess();
      const two = await openProcess();
      const turns = 40;
      await Promise.all(
        Array.from({ length: turns }, (_, index) => (index % 2 ? one : two).conversation.turn('web', 'web:shared', { kind: 'text', text: `问题${index}` })),
      );
      // Each turn read the state the previous one saved: none was lost to an interleaving.
      expect((await one.store.getState('web:shared'))?.turns).toBe(turns);
      const stored = await two.store.exchanges();
      expect(stored).toHaveLength(turns);
      expect(stored.map((exchange) => Number(/^第(\d+)次/.exec(exchange.reply)?.[1])).sort((a, b) => a - b)).toEqual(Array.from({ length: turns }, (_, index) => index + 1));
    });

    it('a process killed while holding a chat does not leave the chat locked', async () => {
      const one = await openProcess();
      // Another process holds telegram:7's lock (as chat-lock.ts takes it) …
      const holder = await db.pool(1).connect();
      holder.on('error', () => undefined);
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE.chats, 'telegram:7']);
      const backend = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const waiting = one.conversation.turn('telegram', 'telegram:7', { kind: 'text', text: '还在吗' });
      // … and is killed: the server drops its connection, and the lock with its transaction.
      await db.pool(1).query('SELECT pg_terminate_backend($1)', [backend]);
      holder.release(new Error('terminated'));
      const result = await waiting;
      expect(result.reply.text).toBe('第1次回答：还在吗');
      expect((await one.store.exchanges()).map((exchange) => exchange.chatKey)).toEqual(['telegram:7']);
    });
  });

  describe('Telegram update dedupe across processes', () => {
    it('an update claimed by one process is dropped by another, once done', async () => {
      const one = await openProcess();
      const two = await openProcess();
      const claim = await one.claims.claim(101);
      expect(claim).toBeDefined();
      // The copy at the second process waits for the first to finish, then is dropped.
      const copy = two.claims.claim(101);
      await claim!.done();
      expect(await copy).toBeUndefined();
      expect(await one.claims.claim(101)).toBeUndefined();
      const other = await two.claims.claim(102);
      expect(other).toBeDefined();
      await other!.done();
    });

    it('an update whose process died before answering is answered by another', async () => {
      const one = await openProcess();
      const dying = createUpdateClaims({ pool: db.pool(1), logger: db.logger });
      closers.push(() => dying.close());
      const unanswered = await dying.claim(201);
      expect(unanswered).toBeDefined();
      const copy = one.claims.claim(201); // Telegram re-sends it to another process
      // The first process is killed: its connection, and the uncommitted claim, are gone.
      const { rows } = await db.pool(1).query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE state = 'idle in transaction' AND query LIKE '%INSERT INTO telegram_updates%' AND pid <> pg_backend_pid()`,
      );
      expect(rows.length).toBeGreaterThan(0);
      await db.pool(1).query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [rows.map((row) => row.pid)]);
      const claimed = await copy;
      expect(claimed).toBeDefined();
      await claimed!.done();
      await expect(unanswered!.done()).rejects.toThrow(); // the dead process never gets to commit
    });

    it('purges ids older than a day', async () => {
      const one = await openProcess();
      await (await one.claims.claim(301))!.done();
      await (await one.claims.claim(302))!.done();
      await db.pool(1).query(`UPDATE telegram_updates SET seen_at = now() - interval '25 hours' WHERE update_id = 301`);
      expect(await one.claims.purge()).toBe(1);
      expect(await one.claims.claim(302)).toBeUndefined();
    });

    it('the same update delivered to two processes at once is answered once', async () => {
      const config = loadConfig({ BOT_TOKEN: '1:x', WEBHOOK_URL: 'https://bot.example/telegram/webhook', WEBHOOK_SECRET: 's' });
      const sent: { chatId: number; text: string }[] = [];
      const api: ChatApi = {
        async send(chatId, messages) {
          for (const message of messages) sent.push({ chatId, text: message.html });
          return messages.map((_, index) => index + 1);
        },
        async answerCallback() {},
        async setKeyboard() {},
      };
      const handlers = await Promise.all(
        [0, 1].map(async () => {
          const process = await openProcess();
          return createUpdateHandler({
            config,
            core: { engine: countingEngine, reload: async () => ({ ok: true, version: 1, warnings: [] }) },
            store: process.store,
            logger: db.logger,
            now: () => new Date(),
            conversation: process.conversation,
            knowledgeQueue: createKeyedQueue(),
            updates: process.claims,
          });
        }),
      );
      const update = (id: number, text: string) => ({
        update_id: id,
        message: { message_id: id, date: 0, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: '甲' }, text },
      });
      const bot = { id: 666, username: 'TestNameBot' };
      await Promise.all([handlers[0]!(update(500, '你好'), api, bot), handlers[1]!(update(500, '你好'), api, bot)]);
      await Promise.all([handlers[1]!(update(501, '还有'), api, bot), handlers[0]!(update(501, '还有'), api, bot)]);
      expect(sent.map((message) => message.text.split('\n')[0])).toEqual(['第1次回答：你好', '第2次回答：还有']);
    });
  });
}
