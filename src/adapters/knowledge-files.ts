import { existsSync } from 'node:fs';
import { keepNewest, writeCacheFile } from './cache-files.ts';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { isNode, LineCounter, parse, parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  AspectsSchema,
  BilingualSchema,
  DangerLexiconSchema,
  FactFileSchema,
  FlowSchema,
  HomophonesSchema,
  IntentFileSchema,
  SourcesFileSchema,
  type Fact,
  type Flow,
  type Intent,
  type KnowledgeBase,
  type Source,
} from '../knowledge/schema.ts';
import { chineseZodMessage } from '../knowledge/field-names.ts';
import { fnv1a64 } from '../lib/hash.ts';
import type { Issue } from '../lib/issues.ts';
import type { Logger } from '../lib/logger.ts';
import { JournalError, recoverKnowledgeFiles } from './publish-journal.ts';
import { addSourceLines, firstErrorLine, lineOf, parseWithPositions } from './source-lines.ts';

/**
 * Reads the admin-edited data (intents/*.yaml, data/facts/*.json, data/sources.json,
 * data/lexicon/*, data/flows/*.yaml), validates each file against its schema and reports every
 * problem with file, line and path. Cross-file checks run in the engine (knowledge/lint.ts).
 */

export interface KnowledgePaths {
  intentsDir: string;
  dataDir: string;
}

export interface LoadResult {
  /** Present only when no file had an error. */
  kb?: KnowledgeBase;
  issues: Issue[];
}

export async function loadKnowledgeFromDisk(paths: KnowledgePaths): Promise<LoadResult> {
  const issues: Issue[] = [];
  const shown = (file: string) => relative(process.cwd(), file) || file;

  const intents: Intent[] = [];
  for (const file of await listFiles(paths.intentsDir, ['.yaml', '.yml'], issues)) {
    const parsed = await readYaml(file, IntentFileSchema, issues, shown(file));
    if (!parsed) continue;
    const topic = basename(file).replace(/\.ya?ml$/, '');
    if (parsed.topic !== topic) {
      issues.push(issue(shown(file), 'topic', 'E_FILE_TOPIC', `文件名是 ${topic}，但 topic 写的是 ${parsed.topic}`));
    }
    parsed.intents.forEach((intent, i) => {
      if (!intent.name.startsWith(`${parsed.topic}.`)) {
        issues.push(issue(shown(file), `intents[${i}].name`, 'E_WRONG_FILE', `意图 ${intent.name} 应放在 intents/${intent.name.split('.')[0]}.yaml`));
      }
    });
    intents.push(...parsed.intents);
  }

  const facts: Fact[] = [];
  for (const file of await listFiles(join(paths.dataDir, 'facts'), ['.json'], issues)) {
    const parsed = await readJson(file, FactFileSchema, issues, shown(file));
    if (!parsed) continue;
    const topic = basename(file, '.json');
    if (parsed.topic !== topic) issues.push(issue(shown(file), 'topic', 'E_FILE_TOPIC', `文件名是 ${topic}，但 topic 写的是 ${parsed.topic}`));
    parsed.facts.forEach((fact, i) => {
      if (fact.topic !== parsed.topic) issues.push(issue(shown(file), `facts[${i}].topic`, 'E_WRONG_FILE', `事实 ${fact.id} 的 topic 与文件不符`));
    });
    facts.push(...parsed.facts);
  }

  const sourcesFile = join(paths.dataDir, 'sources.json');
  const sources: Source[] = (await readJson(sourcesFile, SourcesFileSchema, issues, shown(sourcesFile)))?.sources ?? [];
  const lexicon = join(paths.dataDir, 'lexicon');
  const homophonesFile = join(lexicon, 'homophones.yaml');
  const aspectsFile = join(lexicon, 'aspects.yaml');
  const homophones = (await readYaml(homophonesFile, HomophonesSchema, issues, shown(homophonesFile)))?.terms ?? {};
  const aspectsParsed = await readYaml(aspectsFile, AspectsSchema, issues, shown(aspectsFile));
  const aspects = aspectsParsed?.aspects ?? {};
  const followUps = { fillers: aspectsParsed?.fillers ?? [], routes: aspectsParsed?.routes ?? {} };
  // Optional lexicons: a knowledge folder without them still loads (older copies, test fixtures).
  const dangerFile = join(lexicon, 'danger.yaml');
  const dangerParsed = existsSync(dangerFile) ? await readYaml(dangerFile, DangerLexiconSchema, issues, shown(dangerFile)) : undefined;
  const bilingualFile = join(lexicon, 'bilingual.yaml');
  const bilingual = existsSync(bilingualFile) ? (await readYaml(bilingualFile, BilingualSchema, issues, shown(bilingualFile)))?.terms : undefined;
  const danger = dangerParsed ? (({ version: _version, ...rest }) => rest)(dangerParsed) : undefined;

  const dictionary: string[] = [];
  for (const file of await listFiles(lexicon, ['.dict.utf8'], issues)) {
    const lines = (await readFile(file, 'utf8')).split(/\r?\n/);
    lines.forEach((line, i) => {
      const trimmed = line.trim();
      if (!trimmed || trimmed.startsWith('#')) return;
      const [word, freq] = trimmed.split(/\s+/);
      if (freq !== undefined && !/^\d+$/.test(freq)) {
        issues.push({ file: shown(file), line: i + 1, path: '', code: 'E_DICT_LINE', severity: 'error', message: `词频应为数字：「${trimmed}」` });
        return;
      }
      if (word) dictionary.push(trimmed);
    });
  }

  const flows: Flow[] = [];
  for (const file of await listFiles(join(paths.dataDir, 'flows'), ['.yaml', '.yml'], issues, true)) {
    const flow = await readYaml(file, FlowSchema, issues, shown(file));
    if (flow) flows.push(flow);
  }

  // Checks made after a fast parse (file topic, wrong file) know the path, not the line.
  const located = issues.some((i) => i.line === undefined) ? await addSourceLines(issues, (file) => ({ path: file, shown: file })) : issues;
  if (located.some((i) => i.severity === 'error')) return { issues: located };
  return {
    kb: { intents, facts, sources, homophones, aspects, followUps, dictionary, flows, ...(danger ? { danger } : {}), ...(bilingual ? { bilingual } : {}) },
    issues: located,
  };
}

async function listFiles(dir: string, endings: string[], issues: Issue[], optional = false): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names.filter((name) => endings.some((ending) => name.endsWith(ending))).sort().map((name) => join(dir, name));
  } catch (error) {
    if (!optional) issues.push(issue(dir, '', 'E_MISSING_DIR', `目录无法读取：${(error as Error).message}`));
    return [];
  }
}

async function readYaml<S extends z.ZodType>(file: string, schema: S, issues: Issue[], shown: string): Promise<z.infer<S> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    issues.push(issue(shown, '', 'E_READ', `文件无法读取：${(error as Error).message}`));
    return undefined;
  }
  // Fast path: plain parse + schema. Only a file with problems is parsed again as a Document
  // to find the line of each problem (the Document API is several times slower).
  try {
    const fast = schema.safeParse(parse(text));
    if (fast.success) return fast.data;
  } catch {
    // Not valid YAML: the Document parse below reports where.
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const line = error.linePos?.[0]?.line;
      issues.push({ file: shown, ...(line ? { line } : {}), path: '', code: 'E_YAML', severity: 'error', message: `YAML 格式错误：${error.message.split('\n')[0]}` });
    }
    return undefined;
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) return result.data;
  for (const zodIssue of result.error.issues) {
    const path = zodIssue.path as Array<string | number>;
    const node = doc.getIn(path, true) ?? doc.getIn(path.slice(0, -1), true);
    const offset = isNode(node) && node.range ? node.range[0] : undefined;
    const line = offset === undefined ? undefined : lineCounter.linePos(offset).line;
    issues.push({ file: shown, ...(line ? { line } : {}), path: formatPath(path), code: 'E_SCHEMA', severity: 'error', message: chineseZodMessage(zodIssue) });
  }
  return undefined;
}

async function readJson<S extends z.ZodType>(file: string, schema: S, issues: Issue[], shown: string): Promise<z.infer<S> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    issues.push(issue(shown, '', 'E_READ', `文件无法读取：${(error as Error).message}`));
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const line = jsonErrorLine(text, (error as Error).message);
    issues.push({ ...issue(shown, '', 'E_JSON', `JSON 格式错误：${(error as Error).message}`), ...(line ? { line } : {}) });
    return undefined;
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // Only a file with problems is parsed again with positions, for the line of each.
  const positioned = parseWithPositions(text);
  for (const zodIssue of result.error.issues) {
    const path = zodIssue.path as Array<string | number>;
    const line = lineOf(positioned, path);
    issues.push({ ...issue(shown, formatPath(path), 'E_SCHEMA', chineseZodMessage(zodIssue)), ...(line ? { line } : {}) });
  }
  return undefined;
}

/** Node's message gives an offset for some errors ("at position 11") and none for others. */
function jsonErrorLine(text: string, message: string): number | undefined {
  const position = /position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return text.slice(0, Number(position)).split('\n').length;
  if (/end of JSON input/.test(message)) return text.trimEnd().split('\n').length;
  return firstErrorLine(text);
}

function formatPath(path: Array<string | number>): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function issue(file: string, path: string, code: string, message: string): Issue {
  return { file, path, code, severity: 'error', message };
}

// === cached load ==============================================================================

/** Bumped when the loader or the schemas change what a load produces. */
const LOADER_VERSION = 1;

/**
 * Finishes or clears an interrupted publish (adapters/publish-journal.ts), so what is loaded is
 * the old set of files or the new one, never a mix. One that cannot be completed is an error
 * that names the journal: the bot refuses to start rather than guess.
 */
export async function recoverBeforeLoad(paths: KnowledgePaths, logger?: Logger): Promise<Issue[]> {
  try {
    await recoverKnowledgeFiles(paths, logger);
    return [];
  } catch (error) {
    if (!(error instanceof JournalError)) throw error;
    logger?.error('an interrupted publish could not be completed', { journalFile: error.journalFile, error });
    return [issue(error.journalFile, '', 'E_PUBLISH_JOURNAL', `${error.message}；请对照该日志检查所列文件`)];
  }
}

/**
 * Parsing and validating 7,000 examples of YAML takes ~0.3 s, on every start and every CLI call.
 * The result depends only on the files' contents, so it is kept as JSON under a hash of them:
 * any edit (console publish, a text editor) changes the hash and the files are read again.
 * A load with errors is never cached; a broken or missing cache file is a miss.
 */
export async function loadKnowledgeCached(paths: KnowledgePaths, cacheDir: string, logger?: Logger): Promise<LoadResult> {
  const recovery = await recoverBeforeLoad(paths, logger);
  if (recovery.length > 0) return { issues: recovery };
  const key = await contentKey(paths);
  const file = join(cacheDir, `kb-${key}.json`);
  if (key) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as LoadResult;
    } catch {
      // a miss
    }
  }
  const result = await loadKnowledgeFromDisk(paths);
  if (key && result.kb) {
    try {
      writeCacheFile(file, JSON.stringify(result));
      keepNewest(cacheDir, /^kb-[0-9a-f]+\.json$/, 4);
    } catch {
      // A read-only disk only costs the next start a full read.
    }
  }
  return result;
}

/** A hash of every file the loader reads (name and content), or '' when a folder is unreadable. */
async function contentKey(paths: KnowledgePaths): Promise<string> {
  const lexicon = join(paths.dataDir, 'lexicon');
  const files: string[] = [];
  try {
    for (const [dir, optional] of [[paths.intentsDir, false], [join(paths.dataDir, 'facts'), false], [lexicon, false], [join(paths.dataDir, 'flows'), true]] as const) {
      if (optional && !existsSync(dir)) continue;
      files.push(...(await readdir(dir)).sort().map((name) => join(dir, name)));
    }
    files.push(join(paths.dataDir, 'sources.json'));
    const parts = await Promise.all(files.map(async (name) => `${name}\u0000${existsSync(name) ? await readFile(name, 'utf8') : ''}`));
    return fnv1a64(`v${LOADER_VERSION}\u0001${process.cwd()}\u0001${parts.join('\u0001')}`);
  } catch {
    return '';
  }
}
