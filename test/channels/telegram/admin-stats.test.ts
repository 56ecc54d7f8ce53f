import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/admin/ports.ts';
import { createAdmin } from '../../../src/channels/telegram/features/admin.ts';
import type { ChatApi, TelegramCore } from '../../../src/channels/telegram/ports.ts';
import { loadConfig } from '../../../src/config.ts';
import { createKeyedQueue } from '../../../src/lib/keyed-queue.ts';
import { createLogger } from '../../../src/lib/logger.ts';
import { createMemoryStore } from '../../fakes/memory-store.ts';

const ADMIN = 42;
const NOW = new Date('2024-05-10T08:00:00Z');

/** An engine that knows two intents and ranks 法律援助 first for anything it is asked again. */
const core = {
  engine: {
    knowledge: () => ({
      intents: [
        { name: 'legal_aid.how_to_apply', question: '法律援助怎么申请？', description: '如何申请' },
        { name: 'hotline.what_is', question: '12348是什么电话？', description: '热线' },
      ],
    }),
    respond: () => ({ trace: { ranked: [{ intent: 'legal_aid.how_to_apply', score: 0.31 }] } }),
  },
  reload: async () => ({ ok: true, version: 1, warnings: [] }),
} as unknown as TelegramCore;

async function adminWith(exchanges: Partial<Exchange>[]) {
  const store = createMemoryStore();
  for (const [index, exchange] of exchanges.entries()) {
    await store.recordExchange({
      at: new Date(NOW.getTime() - (index + 1) * 60_000).toISOString(),
      channel: 'telegram',
      chatKey: 'telegram:1',
      text: '问题',
      intent: 'none',
      topic: 'none',
      confidence: 0.1,
      kind: 'clarify',
      decidedBy: 'fallback',
      reply: '…',
      ...exchange,
    });
  }
  const sent: string[] = [];
  const api = { send: async (_chatId: number, messages: { html: string }[]) => (sent.push(...messages.map((m) => m.html)), []) } as unknown as ChatApi;
  const admin = createAdmin({
    config: loadConfig({ ADMIN_IDS: String(ADMIN) }),
    core,
    store,
    logger: createLogger('silent'),
    now: () => NOW,
    knowledgeQueue: createKeyedQueue(),
  });
  return { run: async (command: string) => (await admin.run(api, command, ADMIN, ADMIN), sent.join('\n')) };
}

describe('Telegram admin figures in Chinese', () => {
  it('/stats names each topic in Chinese with its id', async () => {
    const admin = await adminWith([
      { intent: 'legal_aid.how_to_apply', topic: 'legal_aid' },
      { intent: 'legal_aid.how_to_apply', topic: 'legal_aid' },
      { intent: 'hotline.what_is', topic: 'hotline' },
      { intent: 'none', topic: 'none' },
    ]);
    const text = await admin.run('stats');
    expect(text).toContain('· 法律援助（legal_aid）：2');
    expect(text).toContain('· 12348热线与公共法律服务（hotline）：1');
    expect(text).toContain('· 未理解（none）：1');
  });

  it('/unanswered shows each message with the closest intent by Chinese name and its score', async () => {
    const admin = await adminWith([{ text: '请不起律师咋整' }]);
    const text = await admin.run('unanswered');
    expect(text).toContain('请不起律师咋整');
    expect(text).toContain('最接近：法律援助怎么申请？（legal_aid.how_to_apply），得分 0.31');
  });
});
