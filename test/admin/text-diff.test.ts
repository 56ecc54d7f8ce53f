import { describe, expect, it } from 'vitest';
import { diffLines, itemLines } from '../../src/admin/text-diff.ts';

const ops = (before: string[], after: string[]) => diffLines(before, after).map((line) => `${{ same: ' ', add: '+', remove: '-' }[line.op]}${line.text}`);

describe('line diff', () => {
  it.each([
    [['a', 'b', 'c'], ['a', 'b', 'c'], [' a', ' b', ' c']],
    [['a', 'c'], ['a', 'b', 'c'], [' a', '+b', ' c']],
    [['a', 'b', 'c'], ['a', 'c'], [' a', '-b', ' c']],
    [['a', 'b'], ['a', 'x'], [' a', '-b', '+x']],
    [[], ['a'], ['+a']],
    [['x', 'a', 'y', 'b'], ['a', 'z', 'b'], ['-x', ' a', '-y', '+z', ' b']],
  ])('%j → %j', (before, after, expected) => {
    expect(ops(before, after)).toEqual(expected);
  });
});

describe('item lines', () => {
  it('puts one example a line, so adding one adds exactly one line', () => {
    const before = itemLines({ name: 'a.b', examples: ['一', '二'], answer: { facts: [] } });
    const after = itemLines({ name: 'a.b', examples: ['一', '二', '三'], answer: { facts: [] } });
    expect(before).toEqual(['name: a.b', 'examples:', '  - 一', '  - 二', 'answer:', '  facts: []']);
    expect(ops(before, after).filter((line) => !line.startsWith(' '))).toEqual(['+  - 三']);
  });
});
