import type { BenchQuestion } from '../evaluation/question.ts';
import { topicFromName } from '../knowledge/labels.ts';
import { isTopic, NONE_INTENT, topicOf } from '../knowledge/topics.ts';
import { decodeUpload, type UploadEncoding } from './upload-text.ts';

/**
 * Reads a batch file of questions for the test bench (console upload and `test-answers`), and
 * checks it before anything is scored. A typo in an expected topic (`legal_aide`) used to count
 * as a wrong answer, so staff blamed the bot for their file; now such a line is reported by its
 * number and left out of the score.
 */

export interface ParsedQuestions {
  questions: BenchQuestion[];
  /** What is wrong with the file, one line each, naming the line (`第 3 行：…`). */
  problems: string[];
  /** How the bytes were read: `gb18030` means a GBK file (Excel on Chinese Windows) was converted. */
  encoding?: UploadEncoding;
  /** The whole file was refused (not text); nothing can be scored. */
  refused?: string;
}

/** Which expected values exist (the labels of the engine being tested satisfy it). */
export interface KnownExpectations {
  isTopic(id: string): boolean;
  isIntent(name: string): boolean;
}

const MAX_QUESTIONS = 2000;

/**
 * JSONL (`{"id"?, "text", "topic"?, "intent"?, "expected"?}` a line), a JSON array of the same,
 * or CSV (a header with a text/问题 column, optional id, topic, intent or expected columns; or one
 * question a line). Bytes are decoded first: UTF-8 with or without BOM, or GBK.
 * Without `known`, an expected intent only has to be well formed under a known topic.
 */
export function parseQuestions(content: string | Uint8Array, filename = '', known?: KnownExpectations): ParsedQuestions {
  let text: string;
  let encoding: UploadEncoding | undefined;
  if (typeof content === 'string') text = content;
  else {
    const decoded = decodeUpload(content);
    if (!decoded.ok) return { questions: [], problems: [decoded.message], refused: decoded.message };
    text = decoded.text;
    encoding = decoded.encoding;
  }
  text = text.replace(/^\uFEFF/, '');
  const start = text.trimStart();
  const lower = filename.toLowerCase();
  const rows = start.startsWith('[')
    ? jsonArrayRows(start)
    : lower.endsWith('.jsonl') || lower.endsWith('.json') || start.startsWith('{')
      ? jsonlRows(text)
      : csvRows(text);
  const parsed = checkExpectations(rows, known ?? wellFormed);
  if (parsed.questions.length > MAX_QUESTIONS) {
    parsed.problems.push(`最多 ${MAX_QUESTIONS} 条，已截断`);
    parsed.questions = parsed.questions.slice(0, MAX_QUESTIONS);
  }
  return encoding ? { ...parsed, encoding } : parsed;
}

/** One question as read, before its expectations are checked. */
interface Row {
  /** `第 3 行` (CSV, JSONL) or `第 3 条` (JSON array). */
  where: string;
  question?: BenchQuestion;
  /** The expected values as written (topic column, intent column, or `expected`). */
  expected?: { topic?: string; intent?: string };
  problem?: string;
}

const wellFormed: KnownExpectations = {
  isTopic,
  isIntent: (name) => name === NONE_INTENT || (topicOf(name) ?? 'none') !== 'none',
};

function checkExpectations(rows: Row[], known: KnownExpectations): ParsedQuestions {
  const questions: BenchQuestion[] = [];
  const problems: string[] = [];
  for (const row of rows) {
    if (row.problem || !row.question) {
      problems.push(`${row.where}：${row.problem ?? '问题为空'}`);
      continue;
    }
    // Staff may write the topic's Chinese name (法律援助) as the console shows it.
    const topicText = row.expected?.topic;
    const topic = topicText === undefined ? undefined : topicText === NONE_INTENT ? NONE_INTENT : topicFromName(topicText);
    const intent = row.expected?.intent;
    const unknown = [
      ...(topicText !== undefined && (topic === undefined || (topic !== NONE_INTENT && !known.isTopic(topic))) ? [topicText] : []),
      ...(intent !== undefined && !known.isIntent(intent) ? [intent] : []),
    ];
    if (unknown.length > 0) {
      problems.push(`${row.where}：未知的主题或意图 ${unknown.join('、')}（此行未计分）`);
      continue;
    }
    questions.push({ ...row.question, ...(topic ? { topic } : {}), ...(intent ? { intent } : {}) });
  }
  return { questions, problems };
}

/** `expected` holds a topic or an intent, as staff write it: an intent has a dot. */
function expectedOf(topic: string | undefined, intent: string | undefined, expected: string | undefined): Row['expected'] {
  const result = {
    topic: topic || (expected && !expected.includes('.') ? expected : undefined),
    intent: intent || (expected?.includes('.') ? expected : undefined),
  };
  return {
    ...(result.topic ? { topic: result.topic } : {}),
    ...(result.intent ? { intent: result.intent } : {}),
  };
}

// === JSON ====================================================================================

function objectRow(value: unknown, where: string, fallbackId: string): Row {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { where, problem: '应为一个 JSON 对象，例如 {"text": "法律援助怎么申请"}' };
  const record = value as Record<string, unknown>;
  if (typeof record.text !== 'string' || !record.text.trim()) return { where, problem: '缺少问题（text）' };
  const str = (key: string) => (typeof record[key] === 'string' && (record[key] as string).trim() ? (record[key] as string).trim() : undefined);
  return {
    where,
    question: {
      id: typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : fallbackId,
      text: record.text,
      mustContain: Array.isArray(record.mustContain) ? record.mustContain.filter((item): item is string => typeof item === 'string') : undefined,
    },
    expected: expectedOf(str('topic'), str('intent'), str('expected')),
  };
}

function jsonlRows(text: string): Row[] {
  const rows: Row[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (!line.trim()) return;
    const where = `第 ${index + 1} 行`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      rows.push({ where, problem: '不是有效的 JSON' });
      return;
    }
    rows.push(objectRow(value, where, `q${index + 1}`));
  });
  return rows;
}

function jsonArrayRows(text: string): Row[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const line = position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
    return [{ where: line === undefined ? '文件' : `第 ${line} 行`, problem: '不是有效的 JSON' }];
  }
  if (!Array.isArray(value)) return [{ where: '文件', problem: '应为 JSON 数组或每行一个 JSON 对象' }];
  return value.map((item, index) => objectRow(item, `第 ${index + 1} 条`, `q${index + 1}`));
}

// === CSV =====================================================================================

function csvRows(text: string): Row[] {
  const records = csvRecords(text).filter((record) => record.cells.some((cell) => cell.trim()));
  const header = (records[0]?.cells ?? []).map((cell) => cell.trim().toLowerCase());
  const hasHeader = header.includes('text') || header.includes('question') || header.includes('问题');
  const column = (names: string[]) => header.findIndex((cell) => names.includes(cell));
  const textAt = hasHeader ? column(['text', 'question', '问题']) : 0;
  const topicAt = hasHeader ? column(['topic', 'expected_topic', '主题']) : 1;
  const intentAt = hasHeader ? column(['intent', 'expected_intent', '意图']) : -1;
  const expectedAt = hasHeader ? column(['expected', '预期']) : -1;
  const idAt = hasHeader ? column(['id', '编号']) : -1;
  const cell = (cells: string[], at: number) => (at >= 0 ? cells[at]?.trim() || undefined : undefined);
  return records.slice(hasHeader ? 1 : 0).map(({ cells, line }, index) => {
    const where = `第 ${line} 行`;
    const question = cell(cells, textAt);
    if (!question) return { where, problem: '问题为空' };
    return {
      where,
      question: { id: cell(cells, idAt) ?? `q${index + 1}`, text: question },
      expected: expectedOf(cell(cells, topicAt), cell(cells, intentAt), cell(cells, expectedAt)),
    };
  });
}

/** RFC 4180 records with the line each starts on: quoted cells may hold commas, quotes ("") and newlines. */
function csvRecords(text: string): { cells: string[]; line: number }[] {
  const records: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else {
        if (char === '\n') line += 1;
        cell += char;
      }
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      cells.push(cell);
      records.push({ cells, line: startLine });
      cells = [];
      cell = '';
      line += 1;
      startLine = line;
    } else cell += char;
  }
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    records.push({ cells, line: startLine });
  }
  return records;
}
