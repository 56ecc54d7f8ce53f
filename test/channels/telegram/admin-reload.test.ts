import { describe, expect, it } from 'vitest';
import type { KnowledgeWriter } from '../../../src/admin/publish-ports.ts';
import { createDrafts } from '../../../src/admin/drafts.ts';
import { createPublisher, type LiveCore } from '../../../src/admin/publish.ts';
import { createAdmin } from '../../../src/channels/telegram/features/admin.ts';
import type { ChatApi } from '../../../src/channels/telegram/ports.ts';
import { loadConfig } from '../../../src/config.ts';
import type { KnowledgeBase } from '../../../src/knowledge/schema.ts';
import { hotlineFact, tinyKnowledge } from '../../support/tiny-kb.ts';
import { createKeyedQueue } from '../../../src/lib/keyed-queue.ts';
import { createLogger } from '../../../src/lib/logger.ts';
import { createMemoryStore } from '../../fakes/memory-store.ts';

const ADMIN = 42;
const fact = hotlineFact;
const live: KnowledgeBase = tinyKnowledge();

/** Lets every queued callback and timer of this turn run, so an unguarded reload would have happened. */
const settle = async () => {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe('Telegram /reload during a console publish', () => {
  it('waits until the publish has written its files and reloaded', async () => {
    const events: string[] = [];
    let release!: () => void;
    const written = new Promise<void>((resolve) => (release = resolve));
    let version = 1;
    const core: LiveCore = {
      engine: {} as LiveCore['engine'],
      async reload() {
        events.push('reload');
        version += 1;
        return { ok: true, version, warnings: [] };
      },
    };
    const writer: KnowledgeWriter = {
      snapshot: async () => ({}),
      render: () => ({ 'data/facts/hotline.json': '{}' }),
      async apply() {
        events.push('writing files');
        await written; // a slow disk: the publish is between its writes and its reload
        events.push('files written');
      },
    };
    const queue = createKeyedQueue();
    const drafts = await createDrafts({ live: () => live });
    const publisher = createPublisher({
      core,
      drafts,
      writer,
      history: { newId: () => '20250101T000000Z-abcdef', list: async () => ({ entries: [], unreadable: [] }), filesBefore: async () => ({}), update: async () => undefined },
      queue,
      heldout: async () => [],
      buildEngine: async () => core.engine,
      lint: () => [],
      logger: createLogger('silent'),
    });
    const sent: string[] = [];
    const api: ChatApi = {
      send: async (_chatId, messages) => {
        sent.push(...messages.map((message) => message.html));
        return [];
      },
      answerCallback: async () => undefined,
      setKeyboard: async () => undefined,
    };
    const admin = createAdmin({
      config: loadConfig({ ADMIN_IDS: String(ADMIN) }),
      core,
      store: createMemoryStore(),
      logger: createLogger('silent'),
      now: () => new Date(),
      knowledgeQueue: queue,
    });

    await drafts.saveFact(fact.id, { ...fact, text: '12348是公共法律服务热线电话。' }, drafts.view().facts[0]!.revision, 'alice');
    const publishing = publisher.publish('alice');
    await settle();
    expect(events).toEqual(['writing files']);

    const reloading = admin.run(api, 'reload', ADMIN, ADMIN);
    await settle();
    expect(events).toEqual(['writing files']); // /reload did not cut in

    release();
    await publishing;
    await reloading;
    expect(events).toEqual(['writing files', 'files written', 'reload', 'reload']);
    expect(sent.at(-1)).toContain('已重新加载问答数据，当前版本 3');
  });
});
