import { describe, expect, it } from 'vitest';
import { fresh } from '../../src/chat/conversation.ts';

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
