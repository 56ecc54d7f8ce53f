import { describe, expect, it } from 'vitest';
import { lineOf, parsePath, parseWithPositions } from '../../src/adapters/source-lines.ts';

describe('finding the line of a path in a knowledge file', () => {
  it.each([
    ['intents[3].examples[7]', ['intents', 3, 'examples', 7]],
    ['facts[0].source.id', ['facts', 0, 'source', 'id']],
    ['steps.ask_kind.choices[1].next', ['steps', 'ask_kind', 'choices', 1, 'next']],
    ['topic', ['topic']],
    ['', []],
  ])('reads %s', (path, parts) => {
    expect(parsePath(path)).toEqual(parts);
  });

  const json = ['{ "version": 1, "topic": "mediation", "facts": [', '  { "id": "mediation.free",', '    "figures": ["382"],', '    "source": { "id": "L2" } }', '] }'].join('\n');
  const yaml = ['version: 1', 'intents:', '  - name: legal_aid.x', '    examples:', '      - 一', '      - 二', '    answer: { facts: [a, b] }'].join('\n');

  it.each([
    ['JSON', json, 'facts[0].figures[0]', 3],
    ['JSON', json, 'facts[0].source.id', 4],
    ['JSON', json, 'facts[0].source.section', 4], // missing: its parent's line
    ['JSON', json, 'topic', 1],
    ['YAML', yaml, 'intents[0].examples[1]', 6],
    ['YAML', yaml, 'intents[0].answer.facts[1]', 7],
    ['YAML', yaml, 'intents[0].followups', 3],
  ])('%s %s → line %s', (_kind, text, path, line) => {
    expect(lineOf(parseWithPositions(text), parsePath(path))).toBe(line);
  });
});
