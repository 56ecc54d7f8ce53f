import { describe, expect, it } from 'vitest';
import { parseCallbackData } from '../../../src/channels/telegram/callback-data.ts';

describe('parseCallbackData', () => {
  it.each([
    ['i:legal_aid.how_to_apply', { kind: 'intent', intent: 'legal_aid.how_to_apply' }],
    ['c:yes', { kind: 'choice', value: 'yes' }],
    ['c:a:b', { kind: 'choice', value: 'a:b' }],
    ['f:u:20240501-abcdef12', { kind: 'feedback', value: 'up', exchangeId: '20240501-abcdef12' }],
    ['f:d:20240501-abcdef12', { kind: 'feedback', value: 'down', exchangeId: '20240501-abcdef12' }],
    ['h', { kind: 'handoff' }],
    ['x:y', { kind: 'forget', confirmed: true }],
    ['x:n', { kind: 'forget', confirmed: false }],
  ])('%s is accepted', (data, expected) => expect(parseCallbackData(data)).toEqual(expected));

  it.each([
    [''],
    ['i:'],
    ['i:LegalAid'],
    ['i:legal_aid.how_to_apply; drop'],
    ['f:u:not-an-id'],
    ['f:x:20240501-abcdef12'],
    ['f:u:20240501-abcdef12:extra'],
    ['c:'],
    ['x:maybe'],
    ['zzz'],
    ['i:' + 'a'.repeat(70) + '.b'],
  ])('%s is refused', (data) => expect(parseCallbackData(data)).toBeUndefined());
});
