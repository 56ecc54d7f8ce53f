import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Reply, Trace } from '../dialogue/types.ts';
import type { Engine } from '../engine-types.ts';
import { sameOrFiner } from '../evaluation/metrics.ts';
import type { BenchQuestion } from '../evaluation/question.ts';
import type { Labels } from '../knowledge/labels.ts';
import { toCsv } from '../lib/csv.ts';

/**
 * The test bench: one question with its explanation, or a batch of questions scored per topic.
 * Pure over an engine; each question is asked in a fresh conversation.
 */

export type { BenchQuestion };
export { parseQuestions, type KnownExpectations, type ParsedQuestions } from './bench-parse.ts';

export interface BenchRow {
  id: string;
  text: string;
  expectedTopic?: string;
  expectedIntent?: string;
  intent: string;
  topic: string;
  kind: Reply['kind'];
  confidence: number;
  decidedBy: Trace['decidedBy'];
  /** undefined when nothing was expected. */
  ok?: boolean;
  reply: string;
}

export interface TopicScore {
  topic: string;
  total: number;
  correct: number;
  accuracy: number;
}

export interface BenchReport {
  rows: BenchRow[];
  byTopic: TopicScore[];
  scored: number;
  correct: number;
  accuracy: number;
  misses: BenchRow[];
}

export type Responder = Pick<Engine, 'respond'>;

export function explain(engine: Responder, text: string, now = new Date()) {
  const { reply, trace } = engine.respond({ kind: 'text', text }, undefined, now);
  return { reply, trace };
}

/**
 * Right topic, and the right intent when one is expected; every mustContain string present.
 * For an out-of-scope question, "not understood" (`none`) is a right answer too.
 */
export function isCorrect(question: BenchQuestion, reply: Pick<Reply, 'intent' | 'topic' | 'text'>): boolean | undefined {
  if (!question.topic && !question.intent) return undefined;
  const outOfScope = (question.topic ?? question.intent?.split('.')[0]) === 'out_of_scope';
  if (outOfScope) return reply.topic === 'out_of_scope' || reply.intent === 'none';
  if (question.topic && reply.topic !== question.topic) return false;
  if (question.intent && !sameOrFiner(reply.intent, question.intent)) return false;
  return (question.mustContain ?? []).every((needle) => reply.text.includes(needle));
}

export function runBatch(engine: Responder, questions: readonly BenchQuestion[], now = new Date()): BenchReport {
  return scoreRows(questions.map((question) => benchRow(engine, question, now)));
}

/**
 * The same report as `runBatch`, asked `chunkSize` questions at a time with a pause between
 * chunks. `respond` is synchronous, so a file of 2,000 questions in one loop would hold the
 * event loop for seconds and the chat would wait; between chunks other requests get their turn.
 */
export async function runBatchInChunks(
  engine: Responder,
  questions: readonly BenchQuestion[],
  now = new Date(),
  options: { chunkSize?: number; pause?: () => Promise<unknown> } = {},
): Promise<BenchReport> {
  const chunkSize = options.chunkSize ?? 50;
  const pause = options.pause ?? (() => yieldToEventLoop());
  const rows: BenchRow[] = [];
  for (let start = 0; start < questions.length; start += chunkSize) {
    if (start > 0) await pause();
    for (const question of questions.slice(start, start + chunkSize)) rows.push(benchRow(engine, question, now));
  }
  return scoreRows(rows);
}

function benchRow(engine: Responder, question: BenchQuestion, now: Date): BenchRow {
  const { reply, trace } = explain(engine, question.text, now);
  return {
    id: question.id,
    text: question.text,
    expectedTopic: question.topic,
    expectedIntent: question.intent,
    intent: reply.intent,
    topic: reply.topic,
    kind: reply.kind,
    confidence: reply.confidence,
    decidedBy: trace.decidedBy,
    ok: isCorrect(question, reply),
    reply: reply.text,
  };
}

function scoreRows(rows: BenchRow[]): BenchReport {
  const scores = new Map<string, TopicScore>();
  for (const row of rows) {
    if (row.ok === undefined) continue;
    const topic = row.expectedTopic ?? row.expectedIntent?.split('.')[0] ?? '?';
    const score = scores.get(topic) ?? { topic, total: 0, correct: 0, accuracy: 0 };
    score.total += 1;
    if (row.ok) score.correct += 1;
    score.accuracy = score.correct / score.total;
    scores.set(topic, score);
  }
  const scored = rows.filter((row) => row.ok !== undefined).length;
  const correct = rows.filter((row) => row.ok === true).length;
  return {
    rows,
    byTopic: [...scores.values()].sort((a, b) => a.accuracy - b.accuracy || a.topic.localeCompare(b.topic)),
    scored,
    correct,
    accuracy: scored === 0 ? 0 : correct / scored,
    misses: rows.filter((row) => row.ok === false),
  };
}

/**
 * The report as a spreadsheet: the file's own ids, the Chinese names beside the ids (when
 * `labels` is given), and the bot's answer, so a miss can be judged without asking again.
 */
export function reportToCsv(report: BenchReport, labels?: Pick<Labels, 'topic' | 'intent'>): string {
  const name = (id: string | undefined, kind: 'topic' | 'intent') => (id && labels ? labels[kind](id) : '');
  const header = [
    'id', 'text', 'expected_topic', 'expected_intent', 'expected_name', 'intent', 'intent_name', 'topic', 'topic_name',
    'confidence', 'decided_by', 'ok', 'answer',
  ];
  const lines = report.rows.map((row) => [
    row.id,
    row.text,
    row.expectedTopic ?? '',
    row.expectedIntent ?? '',
    row.expectedIntent ? name(row.expectedIntent, 'intent') : name(row.expectedTopic, 'topic'),
    row.intent,
    name(row.intent, 'intent'),
    row.topic,
    name(row.topic, 'topic'),
    row.confidence.toFixed(3),
    row.decidedBy,
    row.ok === undefined ? '' : row.ok ? 'yes' : 'no',
    row.reply,
  ]);
  // Uploaded questions and ids are anyone's text: toCsv neutralises formula starters.
  return toCsv([header, ...lines]);
}
