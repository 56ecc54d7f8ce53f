import { describe, expect, it } from 'vitest';
import { parseQuestions, reportToCsv, runBatch, runBatchInChunks } from '../../src/admin/bench.ts';
import type { Responder } from '../../src/admin/bench.ts';

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
    expect(parseQuestions('{"text":"好"}\n{oops\n', 'x.jsonl').problems).toEqual(['第2行：不是有效的 JSON']);
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

  it('writes a CSV a spreadsheet cannot mistake for formulas', () => {
    const report = runBatch(engine, [{ id: 'a', text: '=HYPERLINK("x")', topic: 'hotline' }]);
    expect(reportToCsv(report)).toContain(`"'=HYPERLINK(""x"")"`);
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
