import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine-types.ts';
import { createMemoryStore } from '../fakes/memory-store.ts';
import { createConversation, fresh } from '../../src/chat/conversation.ts';

const state = (updatedAt: string) => ({ turns: 1, history: [], updatedAt });
const now = new Date('2024-05-01T12:00:00Z');

describe('context expiry', () => {
  it.each([
    ['no state', undefined, undefined],
    ['10 minutes old, TTL 30', state('2024-05-01T11:50:00Z'), 'kept'],
    ['exactly 30 minutes old', state('2024-05-01T11:30:00Z'), 'kept'],
    ['31 minutes old', state('2024-05-01T11:29:00Z'), undefined],
    ['unparsable date', state('yesterday'), undefined],
  ])('%s', (_name, input, expected) => {
    const result = fresh(input, now, 30);
    expect(result === undefined ? undefined : 'kept').toBe(expected);
  });
});

describe('one chat turn for every channel', () => {
  const engine = {
    respond: (_input: unknown, state: { turns: number } | undefined, now: Date) => ({
      reply: { kind: 'answer', intent: 'hotline.what_is', topic: 'hotline', confidence: 0.9, text: '答复', sources: [], suggestions: [], choices: [] },
      state: { turns: (state?.turns ?? 0) + 1, history: [], updatedAt: now.toISOString() },
      trace: { decidedBy: 'classifier' },
    }),
  } as unknown as Engine;

  it('stores nothing of a turn whose exchange the disk refused, so nothing unstored is acknowledged', async () => {
    const store = createMemoryStore();
    store.recordExchange = async () => {
      throw new Error('ENOSPC: no space left on device');
    };
    const conversation = createConversation({ engine: () => engine, store, now: () => new Date('2024-05-01T12:00:00Z'), contextTtlMinutes: 30 });
    await expect(conversation.turn('web', 'web:a', { kind: 'text', text: '12348是什么' })).rejects.toThrow('ENOSPC');
    expect(await store.getState('web:a')).toBeUndefined();
  });

  it('runs two turns of one chat one after the other, each seeing the state the previous one saved', async () => {
    const store = createMemoryStore();
    const conversation = createConversation({ engine: () => engine, store, now: () => new Date('2024-05-01T12:00:00Z'), contextTtlMinutes: 30 });
    const [first, second] = await Promise.all([
      conversation.turn('web', 'web:a', { kind: 'text', text: '一' }),
      conversation.turn('web', 'web:a', { kind: 'text', text: '二' }),
    ]);
    expect([first.state.turns, second.state.turns]).toEqual([1, 2]);
    expect((await conversation.latestExchange('web:a'))?.id).toBe(second.exchange.id);
  });
});
