import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src/dialogue/types.ts';
import { escapeHtml, renderReply, renderText, splitText } from '../../../src/channels/telegram/render.ts';
import { parseCallbackData } from '../../../src/channels/telegram/callback-data.ts';

const reply = (overrides: Partial<Reply> = {}): Reply => ({
  kind: 'answer',
  intent: 'legal_aid.how_to_apply',
  topic: 'legal_aid',
  confidence: 0.9,
  text: '申请法律援助 <需要> 材料 & 证明',
  sources: [],
  suggestions: [{ label: '需要什么材料？', intent: 'legal_aid.materials' }],
  choices: [],
  ...overrides,
});

describe('escapeHtml', () => {
  it.each([
    ['a<b>c', 'a&lt;b&gt;c'],
    ['A & B', 'A &amp; B'],
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['&amp;', '&amp;amp;'],
    ['普通中文', '普通中文'],
  ])('%s → %s', (input, expected) => expect(escapeHtml(input)).toBe(expected));
});

describe('splitText', () => {
  it('keeps a short text whole', () => {
    expect(splitText('一行\n两行')).toEqual(['一行\n两行']);
  });

  it('splits on line boundaries under the limit', () => {
    const lines = Array.from({ length: 10 }, (_, index) => `第${index}行`.padEnd(30, '字'));
    const parts = splitText(lines.join('\n'), 100);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(100);
    expect(parts.join('\n')).toBe(lines.join('\n'));
    for (const part of parts) expect(part.startsWith('第')).toBe(true);
  });

  it('measures the escaped length, so & and < never push a part over the limit', () => {
    const parts = splitText('&'.repeat(30), 50);
    for (const part of parts) expect(escapeHtml(part).length).toBeLessThanOrEqual(50);
    expect(parts.join('')).toBe('&'.repeat(30));
  });

  it('cuts a single over-long line without breaking emoji', () => {
    const text = '😀'.repeat(3000);
    const parts = splitText(text);
    expect(parts.length).toBe(2);
    expect(parts.join('')).toBe(text);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
  });

  it('splits a 10,000-character reply into messages of at most 4096', () => {
    const text = Array.from({ length: 500 }, (_, index) => `第${index}条：依法申请，按时办理。`).join('\n');
    const messages = renderText(text, [[{ text: 'x', callback_data: 'h' }]]);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(message.html.length).toBeLessThanOrEqual(4096);
    expect(messages.slice(0, -1).every((message) => message.keyboard === undefined)).toBe(true);
    expect(messages.at(-1)?.keyboard).toBeDefined();
  });
});

describe('renderReply', () => {
  it('escapes the text and adds follow-ups and feedback for an answer', () => {
    const [message] = renderReply(reply(), { exchangeId: '20240501-abcdef' });
    expect(message?.html).toBe('申请法律援助 &lt;需要&gt; 材料 &amp; 证明');
    const data = message?.keyboard?.flat().map((button) => button.callback_data);
    expect(data).toEqual(['i:legal_aid.materials', 'f:u:20240501-abcdef', 'f:d:20240501-abcdef']);
  });

  it('offers the topic menu and a handoff button when the bot did not understand', () => {
    const [message] = renderReply(reply({ kind: 'clarify', intent: 'none', suggestions: [{ label: '法律援助', intent: 'legal_aid.what_is' }] }), {
      exchangeId: '20240501-abcdef',
    });
    expect(message?.keyboard?.flat().map((button) => button.callback_data)).toEqual(['i:legal_aid.what_is', 'h']);
  });

  it('puts flow choices two to a row, first', () => {
    const [message] = renderReply(
      reply({
        kind: 'flow',
        suggestions: [],
        choices: [
          { label: '是', value: 'yes' },
          { label: '否', value: 'no' },
          { label: '不清楚', value: 'unknown' },
        ],
      }),
    );
    expect(message?.keyboard?.map((row) => row.map((button) => button.callback_data))).toEqual([['c:yes', 'c:no'], ['c:unknown']]);
  });

  it('leaves out a button whose data would exceed 64 bytes', () => {
    const [message] = renderReply(reply({ kind: 'flow', suggestions: [], choices: [{ label: '长', value: '很'.repeat(30) }] }));
    expect(message?.keyboard ?? []).toEqual([]);
  });

  it('every button it renders parses back', () => {
    const [message] = renderReply(reply({ kind: 'no_fact' }), { exchangeId: '20240501-abcdef' });
    for (const button of message?.keyboard?.flat() ?? []) expect(parseCallbackData(button.callback_data)).toBeDefined();
  });
});
