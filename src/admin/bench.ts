import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Reply, Trace } from '../dialogue/types.ts';
import type { Engine } from '../engine-types.ts';
import { sameOrFiner } from '../evaluation/metrics.ts';
import type { BenchQuestion } from '../evaluation/question.ts';
import { toCsv } from '../lib/csv.ts';

/**
 * The test bench: one question with its explanation, or a batch of questions scored per topic.
 * Pure over an engine; each question is asked in a fresh conversation.
 */

export type { BenchQuestion };

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

export function reportToCsv(report: BenchReport): string {
  const header = ['id', 'text', 'expected_topic', 'expected_intent', 'intent', 'topic', 'confidence', 'decided_by', 'ok'];
  const lines = report.rows.map((row) => [
    row.id,
    row.text,
    row.expectedTopic ?? '',
    row.expectedIntent ?? '',
    row.intent,
    row.topic,
    row.confidence.toFixed(3),
    row.decidedBy,
    row.ok === undefined ? '' : row.ok ? 'yes' : 'no',
  ]);
  // Uploaded questions and ids are anyone's text: toCsv neutralises formula starters.
  return toCsv([header, ...lines]);
}

// === Parsing uploads ==========================================================================

export interface ParsedQuestions {
  questions: BenchQuestion[];
  /** Lines that could not be read, with their number (1-based). */
  problems: string[];
}

const MAX_QUESTIONS = 2000;

/** JSONL ({text, topic?, intent?}) or CSV (header with a `text` column; `topic`, `intent` optional; or one question a line). */
export function parseQuestions(content: string, filename = ''): ParsedQuestions {
  const text = content.replace(/^\uFEFF/, '');
  const firstLine = text.trimStart().split(/\r?\n/, 1)[0] ?? '';
  const jsonl = filename.toLowerCase().endsWith('.jsonl') || filename.toLowerCase().endsWith('.json') || firstLine.startsWith('{');
  const parsed = jsonl ? parseJsonl(text) : parseCsv(text);
  if (parsed.questions.length > MAX_QUESTIONS) {
    parsed.problems.push(`最多 ${MAX_QUESTIONS} 条，已截断`);
    parsed.questions = parsed.questions.slice(0, MAX_QUESTIONS);
  }
  return parsed;
}

function parseJsonl(text: string): ParsedQuestions {
  const questions: BenchQuestion[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (!line.trim()) return;
    try {
      const value = JSON.parse(line) as Record<string, unknown>;
      if (typeof value.text !== 'string' || !value.text.trim()) throw new Error('缺少 text');
      const expected = typeof value.expected === 'string' && value.expected ? value.expected : undefined;
      questions.push({
        id: typeof value.id === 'string' || typeof value.id === 'number' ? String(value.id) : `q${index + 1}`,
        text: value.text,
        topic: typeof value.topic === 'string' && value.topic ? value.topic : expected && !expected.includes('.') ? expected : undefined,
        intent: typeof value.intent === 'string' && value.intent ? value.intent : expected?.includes('.') ? expected : undefined,
        mustContain: Array.isArray(value.mustContain) ? value.mustContain.filter((item): item is string => typeof item === 'string') : undefined,
      });
    } catch (error) {
      problems.push(`第${index + 1}行：${error instanceof SyntaxError ? '不是有效的 JSON' : (error as Error).message}`);
    }
  });
  return { questions, problems };
}

function parseCsv(text: string): ParsedQuestions {
  const records = csvRecords(text).filter((record) => record.some((cell) => cell.trim()));
  const header = (records[0] ?? []).map((cell) => cell.trim().toLowerCase());
  const hasHeader = header.includes('text') || header.includes('question') || header.includes('问题');
  const column = (names: string[]) => header.findIndex((cell) => names.includes(cell));
  const textAt = hasHeader ? column(['text', 'question', '问题']) : 0;
  const topicAt = hasHeader ? column(['topic', 'expected_topic', '主题']) : 1;
  const intentAt = hasHeader ? column(['intent', 'expected_intent', '意图']) : -1;
  // `expected` holds a topic or an intent, as staff write it.
  const expectedAt = hasHeader ? column(['expected', '预期']) : -1;
  const idAt = hasHeader ? column(['id', '编号']) : -1;
  const questions: BenchQuestion[] = [];
  const problems: string[] = [];
  records.slice(hasHeader ? 1 : 0).forEach((record, index) => {
    const question = record[textAt]?.trim();
    if (!question) {
      problems.push(`第${index + (hasHeader ? 2 : 1)}行：问题为空`);
      return;
    }
    const expected = (expectedAt >= 0 && record[expectedAt]?.trim()) || undefined;
    questions.push({
      id: (idAt >= 0 && record[idAt]?.trim()) || `q${index + 1}`,
      text: question,
      topic: (topicAt >= 0 && record[topicAt]?.trim()) || (expected && !expected.includes('.') ? expected : undefined),
      intent: (intentAt >= 0 && record[intentAt]?.trim()) || (expected?.includes('.') ? expected : undefined),
    });
  });
  return { questions, problems };
}

/** RFC 4180 records: quoted cells may hold commas, quotes ("") and newlines. */
function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === ',') {
      record.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else cell += char;
  }
  if (cell !== '' || record.length > 0) {
    record.push(cell);
    records.push(record);
  }
  return records;
}
