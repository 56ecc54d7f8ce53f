import type { Engine } from '../engine-types.ts';
import { NONE_INTENT } from '../knowledge/topics.ts';

/**
 * Runs a file of questions through the engine and scores it: the staff "what does it get
 * wrong" tool (CLI `test-answers`, web test bench) and `npm run eval` share this.
 */

export interface QuestionRow {
  id: string;
  text: string;
  /** Expected topic (`legal_aid`) or intent (`legal_aid.how_to_apply`); optional. */
  expected?: string;
  /** Strings the answer must contain (figures, phone numbers). */
  mustContain?: string[];
}

export interface RowResult extends QuestionRow {
  intent: string;
  topic: string;
  confidence: number;
  kind: string;
  answer: string;
  /** undefined when the row has no expectation. */
  correct?: boolean;
  missingStrings: string[];
}

export interface TopicScore {
  topic: string;
  total: number;
  correct: number;
  accuracy: number;
}

export interface BatchReport {
  results: RowResult[];
  scored: number;
  correct: number;
  accuracy: number;
  byTopic: TopicScore[];
  misses: RowResult[];
}

/** `none` is a right answer for a message that is out of scope. */
export function isCorrect(expected: string, intent: string, topic: string): boolean {
  if (expected === 'out_of_scope' || expected.startsWith('out_of_scope.')) {
    return topic === 'out_of_scope' || intent === NONE_INTENT;
  }
  return expected.includes('.') ? intent === expected : topic === expected;
}

export function runBatch(engine: Engine, rows: readonly QuestionRow[]): BatchReport {
  const results = rows.map((row): RowResult => {
    const { reply } = engine.respond({ kind: 'text', text: row.text }, undefined);
    const missingStrings = (row.mustContain ?? []).filter((s) => !reply.text.includes(s));
    return {
      ...row,
      intent: reply.intent,
      topic: reply.topic,
      confidence: reply.confidence,
      kind: reply.kind,
      answer: reply.text,
      ...(row.expected ? { correct: isCorrect(row.expected, reply.intent, reply.topic) } : {}),
      missingStrings,
    };
  });
  return summarise(results);
}

export function summarise(results: RowResult[]): BatchReport {
  const scoredRows = results.filter((r) => r.correct !== undefined);
  const topics = new Map<string, { total: number; correct: number }>();
  for (const row of scoredRows) {
    const topic = (row.expected ?? '').split('.')[0] ?? '';
    const entry = topics.get(topic) ?? { total: 0, correct: 0 };
    entry.total += 1;
    if (row.correct) entry.correct += 1;
    topics.set(topic, entry);
  }
  const correct = scoredRows.filter((r) => r.correct).length;
  return {
    results,
    scored: scoredRows.length,
    correct,
    accuracy: scoredRows.length ? correct / scoredRows.length : 0,
    byTopic: [...topics.entries()]
      .map(([topic, { total, correct: ok }]) => ({ topic, total, correct: ok, accuracy: total ? ok / total : 0 }))
      .sort((a, b) => a.topic.localeCompare(b.topic)),
    misses: results.filter((r) => r.correct === false || r.missingStrings.length > 0),
  };
}

/**
 * Parses CSV (header with a `text` column, optional `expected`/`topic`/`intent`, `id`) or JSON
 * lines. Returns the rows and a message per bad line; a bad line never stops the batch.
 */
export function parseQuestionFile(content: string, fileName: string): { rows: QuestionRow[]; errors: string[] } {
  const trimmed = content.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return { rows: [], errors: [`${fileName}：文件是空的`] };
  const looksJson = fileName.endsWith('.jsonl') || fileName.endsWith('.json') || trimmed.startsWith('{');
  return looksJson ? parseJsonLines(trimmed, fileName) : parseCsv(trimmed, fileName);
}

function parseJsonLines(content: string, fileName: string) {
  const rows: QuestionRow[] = [];
  const errors: string[] = [];
  content.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const value = JSON.parse(line) as Record<string, unknown>;
      const text = value.text;
      if (typeof text !== 'string' || !text.trim()) throw new Error('缺少 text 字段');
      const expected = pickExpected(value);
      rows.push({
        id: String(value.id ?? i + 1),
        text,
        ...(expected ? { expected } : {}),
        ...(Array.isArray(value.mustContain) ? { mustContain: value.mustContain.map(String) } : {}),
      });
    } catch (error) {
      errors.push(`${fileName}:${i + 1} — ${(error as Error).message}`);
    }
  });
  return { rows, errors };
}

function pickExpected(value: Record<string, unknown>): string | undefined {
  for (const key of ['expected', 'intent', 'topic']) {
    const candidate = value[key];
    if (typeof candidate === 'string' && candidate.trim()) return candidate.trim();
  }
  return undefined;
}

function parseCsv(content: string, fileName: string) {
  const records = csvRecords(content);
  const header = (records.shift() ?? []).map((h) => h.trim().toLowerCase());
  const textAt = header.indexOf('text');
  if (textAt < 0) return { rows: [], errors: [`${fileName}：第一行须有 text 列`] };
  const rows: QuestionRow[] = [];
  const errors: string[] = [];
  records.forEach((record, i) => {
    const get = (name: string) => {
      const at = header.indexOf(name);
      return at >= 0 ? record[at]?.trim() : undefined;
    };
    const text = record[textAt]?.trim();
    if (!text) {
      errors.push(`${fileName}:${i + 2} — text 为空`);
      return;
    }
    const expected = get('expected') || get('intent') || get('topic');
    rows.push({ id: get('id') || String(i + 1), text, ...(expected ? { expected } : {}) });
  });
  return { rows, errors };
}

/** RFC 4180 enough for spreadsheets: quoted fields, doubled quotes, newlines inside quotes. */
function csvRecords(content: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < content.length; i += 1) {
    const ch = content[i];
    if (quoted) {
      if (ch === '"' && content[i + 1] === '"') { field += '"'; i += 1; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { record.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && content[i + 1] === '\n') i += 1;
      record.push(field); records.push(record); record = []; field = '';
    } else field += ch;
  }
  record.push(field);
  if (record.some((f) => f !== '')) records.push(record);
  return records;
}
