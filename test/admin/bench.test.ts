import { describe, expect, it } from 'vitest';
import { parseQuestions, reportToCsv, runBatch, runBatchInChunks } from '../../src/admin/bench.ts';
import type { Responder } from '../../src/admin/bench.ts';
import { createLabels } from '../../src/knowledge/labels.ts';

/** An engine that answers by keyword: enough to score a batch. */
const engine: Responder = {
  respond(input) {
    const text = input.kind === 'text' ? input.text : '';
    const intent = text.includes('援助') ? 'legal_aid.how_to_apply' : text.includes('热线') ? 'hotline.what_is' : 'none';
    const topic = intent === 'none' ? 'none' : intent.split('.')[0]!;
    return {
      reply: { kind: intent === 'none' ? 'clarify' : 'answer', intent, topic, confidence: 0.9, text: `答：${text}`, sources: [], suggestions: [], choices: [] },
      state: { turns: 1, history: [], updatedAt: '' },
      trace: { normalized: text, tokens: [text], ranked: [], threshold: 0.35, decidedBy: 'classifier', otherIntents: [], facts: [] },
    };
  },
};

describe('test bench batch', () => {
  it.each([
    ['CSV with a header', 'text,topic\n法律援助怎么申请,legal_aid\n"热线,是什么",hotline\n', 'q.csv'],
    ['JSONL', '{"text":"法律援助怎么申请","topic":"legal_aid"}\n{"text":"热线,是什么","topic":"hotline"}\n', 'q.jsonl'],
  ])('reads %s', (_name, content, filename) => {
    const { questions, problems } = parseQuestions(content, filename);
    expect(problems).toEqual([]);
    expect(questions.map((question) => [question.text, question.topic])).toEqual([
      ['法律援助怎么申请', 'legal_aid'],
      ['热线,是什么', 'hotline'],
    ]);
  });

  it('reads one question a line with no header, and reports unreadable JSONL lines', () => {
    expect(parseQuestions('问题一\n问题二\n').questions.map((question) => question.text)).toEqual(['问题一', '问题二']);
    expect(parseQuestions('{"text":"好"}\n{oops\n', 'x.jsonl').problems).toEqual(['第 2 行：不是有效的 JSON']);
  });

  it('scores per topic and lists the misses', () => {
    const { questions } = parseQuestions('text,topic\n法律援助怎么申请,legal_aid\n热线是什么,hotline\n狗咬人,legal_aid\n随便问问,\n');
    const report = runBatch(engine, questions);
    expect(report.scored).toBe(3);
    expect(report.byTopic).toEqual([
      { topic: 'legal_aid', total: 2, correct: 1, accuracy: 0.5 },
      { topic: 'hotline', total: 1, correct: 1, accuracy: 1 },
    ]);
    expect(report.misses.map((row) => row.text)).toEqual(['狗咬人']);
  });

  it('keeps the file\'s ids, the Chinese names and the answer in the CSV download', () => {
    const { questions } = parseQuestions('编号,问题,预期\nA-07,法律援助怎么申请,legal_aid\n');
    const csv = reportToCsv(runBatch(engine, questions), labels);
    const [header, row] = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(header).toBe('id,text,expected_topic,expected_intent,expected_name,intent,intent_name,topic,topic_name,confidence,decided_by,ok,answer');
    expect(row).toBe('A-07,法律援助怎么申请,legal_aid,,法律援助,legal_aid.how_to_apply,法律援助怎么申请？,legal_aid,法律援助,0.900,classifier,yes,答：法律援助怎么申请');
  });

  it('writes a CSV a spreadsheet cannot mistake for formulas', () => {
    const report = runBatch(engine, [{ id: 'a', text: '=HYPERLINK("x")', topic: 'hotline' }]);
    expect(reportToCsv(report)).toContain(`"'=HYPERLINK(""x"")"`);
  });

  const labels = createLabels([
  { name: 'legal_aid.how_to_apply', question: '法律援助怎么申请？' },
  { name: 'hotline.what_is', question: '12348是什么电话？' },
]);

describe('checking a batch file before it is scored', () => {
  /** '问题,主题\n赣服通是什么,ganfutong\n' as Excel saves it on a Chinese Windows (GBK). */
  const GBK_CSV = Uint8Array.from([
    0xce, 0xca, 0xcc, 0xe2, 0x2c, 0xd6, 0xf7, 0xcc, 0xe2, 0x0a, 0xb8, 0xd3, 0xb7, 0xfe, 0xcd, 0xa8, 0xca, 0xc7, 0xca,
    0xb2, 0xc3, 0xb4, 0x2c, 0x67, 0x61, 0x6e, 0x66, 0x75, 0x74, 0x6f, 0x6e, 0x67, 0x0a,
  ]);
  const utf8 = (text: string) => new TextEncoder().encode(text);

  it('reads a GBK file from Excel and says it did', () => {
    const parsed = parseQuestions(GBK_CSV, '问题.csv', labels);
    expect(parsed.encoding).toBe('gb18030');
    expect(parsed.problems).toEqual([]);
    expect(parsed.questions).toEqual([{ id: 'q1', text: '赣服通是什么', topic: 'ganfutong' }]);
  });

  it('reads UTF-8 with a BOM: the first header cell is still found', () => {
    const parsed = parseQuestions(Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('text,topic\n热线是什么,hotline\n')]), 'q.csv', labels);
    expect(parsed.encoding).toBe('utf-8');
    expect(parsed.questions).toEqual([{ id: 'q1', text: '热线是什么', topic: 'hotline' }]);
  });

  it.each([
    ['a picture', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00])],
    ['UTF-8 with a BOM and broken bytes', Uint8Array.from([0xef, 0xbb, 0xbf, 0x61, 0xce, 0xca, 0xff])],
  ])('refuses %s in words staff can act on', (_name, bytes) => {
    const parsed = parseQuestions(bytes, 'x.csv', labels);
    expect(parsed.questions).toEqual([]);
    expect(parsed.refused).toContain('既不是 UTF-8 也不是 GBK');
    expect(parsed.refused).toContain('CSV UTF-8');
  });

  it('reports an unknown expected topic or intent by its line and leaves it out of the score', () => {
    const csv = [
      'id,text,expected', // line 1
      '1,法律援助怎么申请,legal_aid',
      '', // a blank line still counts when numbering
      '2,"热线,',
      '是什么",legal_aide', // a quoted question over two lines starts on line 4
      '3,法律援助怎么申请,legal_aid.how_to_aply',
      '4,法律援助怎么申请,法律援助', // the Chinese name as the console shows it
      '5,热线是什么,none',
    ].join('\n');
    const parsed = parseQuestions(csv, 'q.csv', labels);
    expect(parsed.problems).toEqual(['第 4 行：未知的主题或意图 legal_aide（此行未计分）', '第 6 行：未知的主题或意图 legal_aid.how_to_aply（此行未计分）']);
    expect(parsed.questions.map((question) => [question.id, question.topic ?? question.intent])).toEqual([
      ['1', 'legal_aid'],
      ['4', 'legal_aid'],
      ['5', 'none'],
    ]);
    const report = runBatch(engine, parsed.questions);
    expect(report.scored).toBe(3);
    expect(report.misses.map((row) => row.id)).toEqual(['5']); // only a real miss, never the typos
  });

  it('checks JSONL and JSON arrays the same way, by line or by item', () => {
    expect(parseQuestions('{"text":"热线是什么","expected":"hotline.hourz"}\n[1]\n', 'q.jsonl', labels).problems).toEqual([
      '第 1 行：未知的主题或意图 hotline.hourz（此行未计分）',
      '第 2 行：应为一个 JSON 对象，例如 {"text": "法律援助怎么申请"}',
    ]);
    const array = parseQuestions('[{"id": 7, "text": "热线是什么", "intent": "hotline.what_is"}, {"text": ""}]', 'q.json', labels);
    expect(array.questions).toEqual([{ id: '7', text: '热线是什么', intent: 'hotline.what_is', mustContain: undefined }]);
    expect(array.problems).toEqual(['第 2 条：缺少问题（text）']);
    expect(parseQuestions('[{"text": "热线是什么"},\n {oops}]', 'q.json', labels).problems).toEqual(['第 2 行：不是有效的 JSON']);
  });
});

const many = () =>
    parseQuestions(
      ['text,topic', ...Array.from({ length: 230 }, (_, n) => [`法律援助怎么申请${n},legal_aid`, `热线${n},hotline`, `狗咬人${n},legal_aid`][n % 3]!)].join('\n'),
    ).questions;

  it('gives the same report when scoring in chunks as in one go', async () => {
    const questions = many();
    const now = new Date('2024-05-01T08:00:00Z');
    expect(await runBatchInChunks(engine, questions, now)).toEqual(runBatch(engine, questions, now));
  });

  it('lets other requests in while a large file is scored', async () => {
    const order: string[] = [];
    const counting: Responder = {
      respond(input, state, now) {
        order.push('question');
        return engine.respond(input, state, now);
      },
    };
    // A chat message that arrives just after the batch starts.
    setImmediate(() => order.push('chat'));
    await runBatchInChunks(counting, many());
    const chatAt = order.indexOf('chat');
    expect(chatAt).toBeGreaterThan(0);
    expect(chatAt).toBeLessThan(order.length - 1); // answered before the batch was done
  });
});
