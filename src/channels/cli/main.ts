import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { readEvalTexts } from '../../adapters/eval-files.ts';
import { loadKnowledgeFromDisk, recoverBeforeLoad } from '../../adapters/knowledge-files.ts';
import { addSourceLines, knowledgeFileLocator } from '../../adapters/source-lines.ts';
import { bootCore, engineOptions, type CoreServices } from '../../bootstrap.ts';
import { loadConfig, type Config } from '../../config.ts';
import type { DialogueState } from '../../dialogue/types.ts';
import { createEngine, KnowledgeError } from '../../engine.ts';
import { parseQuestions, runBatch } from '../../admin/bench.ts';
import { createLabels } from '../../knowledge/labels.ts';
import { formatIssue, hasErrors, type Issue } from '../../lib/issues.ts';
import { createLogger } from '../../lib/logger.ts';
import { formatBatchReport, formatExplanation, formatReply } from './format.ts';

/**
 * Staff CLI: `npm run cli -- <command>`. A stable contract other tools rely on; stdout carries
 * only the command's output (JSON lines for `classify --jsonl`), diagnostics go to stderr.
 */

const USAGE = `用法：npm run cli -- <命令>
  ask "文本" [--explain]        回答一个问题；--explain 显示分词、意图得分和使用的事实
  chat                          交互式对话（保留上下文；输入 /exit 退出）
  classify --jsonl              从标准输入读 {"id","text","session"?}，每行输出一个 JSON 结果
  test-answers 文件             CSV 或 JSONL（text 列，可选 id、expected 主题或意图；UTF-8 或 GBK）：按主题统计准确率并列出答错的；
                                文件读不了或有行未计分（如未知的主题）时退出码为 1
  export-training --jsonl       导出全部训练例句 {"text","intent"}
  validate                      检查意图和事实文件；有错误时退出码非 0`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { explain: { type: 'boolean', default: false }, jsonl: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  switch (command) {
    case 'validate':
      return validate(config);
    case 'ask': {
      const text = rest.join(' ');
      const core = await boot(config);
      const result = core.engine.respond({ kind: 'text', text }, undefined);
      process.stdout.write(`${formatReply(result.reply)}\n`);
      if (values.explain) process.stdout.write(`\n${formatExplanation(result, createLabels(core.engine.knowledge().intents))}\n`);
      return 0;
    }
    case 'chat':
      return chat(await boot(config));
    case 'classify':
      if (!values.jsonl) throw new UsageError('classify 需要 --jsonl');
      return classifyJsonl(await boot(config));
    case 'test-answers': {
      const file = rest[0];
      if (!file) throw new UsageError('test-answers 需要一个文件路径');
      return testAnswers(file, config);
    }
    case 'export-training': {
      if (!values.jsonl) throw new UsageError('export-training 需要 --jsonl');
      const loaded = await loadKnowledgeFromDisk(paths(config));
      if (!loaded.kb) return printIssues(loaded.issues);
      for (const intent of loaded.kb.intents) {
        for (const text of intent.examples) process.stdout.write(`${JSON.stringify({ text, intent: intent.name })}\n`);
      }
      return 0;
    }
    default:
      throw new UsageError(`未知命令：${command}`);
  }
}

class UsageError extends Error {}

/** A failure the user can fix, already worded for them (printed as it is, exit code 1). */
class CliError extends Error {}

/**
 * Scores a question file. The file is read before the (slower) boot so a wrong path fails at
 * once. Exit code 1 when the file cannot be read or has lines that were not scored: a script
 * that runs this must not take a partly read file for a full result.
 */
async function testAnswers(file: string, config: Config): Promise<number> {
  const bytes = await readQuestionFile(file);
  const core = await boot(config);
  const labels = createLabels(core.engine.knowledge().intents);
  const { questions, problems, encoding, refused } = parseQuestions(bytes, file, labels);
  if (refused) throw new CliError(`${file}：${refused}`);
  if (encoding === 'gb18030') process.stderr.write(`${file}：文件是 GBK 编码（Excel 默认），已按 GBK 读取。\n`);
  for (const problem of problems) process.stderr.write(`${file}：${problem}\n`);
  if (questions.length === 0) throw new CliError(`${file}：文件里没有可读的问题（需要 text 或“问题”列，或每行一个问题）`);
  const report = runBatch(core.engine, questions);
  process.stdout.write(`${formatBatchReport(report, labels)}\n`);
  if (problems.length > 0) process.stderr.write(`有 ${problems.length} 处问题未计分，见上。\n`);
  return problems.length > 0 ? 1 : 0;
}

async function readQuestionFile(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? '找不到这个文件，请检查路径'
      : code === 'EISDIR' ? '这是一个文件夹，请给出文件路径'
      : code === 'EACCES' || code === 'EPERM' ? '没有读取这个文件的权限'
      : `无法读取文件（${code ?? '未知原因'}）`;
    throw new CliError(`${file}：${why}`);
  }
}

function paths(config: Config) {
  return { intentsDir: config.INTENTS_DIR, dataDir: config.DATA_DIR };
}

function boot(config: Config): Promise<CoreServices> {
  return bootCore({
    ...paths(config),
    threshold: config.CONFIDENCE_THRESHOLD,
    margin: config.AMBIGUITY_MARGIN,
    contextTtlMinutes: config.CONTEXT_TTL_MINUTES,
    logger: createLogger(config.LOG_LEVEL),
  });
}

async function validate(config: Config): Promise<number> {
  // An interrupted publish is finished (or its temp files cleared) first, as at start-up.
  const recovery = await recoverBeforeLoad(paths(config), createLogger(config.LOG_LEVEL));
  if (recovery.length > 0) return printIssues(recovery);
  const loaded = await loadKnowledgeFromDisk(paths(config));
  let issues = loaded.issues;
  if (loaded.kb) {
    try {
      // Evaluation questions copied into the examples would make every figure a memory test.
      const engine = createEngine(loaded.kb, { ...engineOptions({}), evalTexts: readEvalTexts(), leakSeverity: 'error' });
      const swap = engine.swap(loaded.kb);
      issues = [...issues, ...(swap.ok ? swap.warnings : swap.issues)];
    } catch (error) {
      if (!(error instanceof KnowledgeError)) throw error;
      issues = [...issues, ...error.issues];
    }
  }
  // Lint and leak issues name a path only; the README promises file:line for every problem.
  const code = printIssues(await addSourceLines(issues, knowledgeFileLocator(paths(config))));
  if (code === 0) {
    const kb = loaded.kb;
    process.stdout.write(`校验通过：${kb?.intents.length ?? 0} 个意图，${kb?.intents.reduce((n, i) => n + i.examples.length, 0) ?? 0} 条例句，${kb?.facts.length ?? 0} 条事实。\n`);
  }
  return code;
}

function printIssues(issues: Issue[]): number {
  for (const issue of issues) process.stderr.write(`${formatIssue(issue)}\n`);
  if (hasErrors(issues)) {
    process.stderr.write(`共 ${issues.filter((i) => i.severity === 'error').length} 处错误，数据未通过校验。\n`);
    return 1;
  }
  return 0;
}

async function chat(core: CoreServices): Promise<number> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '您：' });
  let state: DialogueState | undefined;
  let last = core.engine.menu();
  process.stdout.write(`${formatReply(last)}\n（输入数字选择按钮，/exit 退出）\n`);
  rl.prompt();
  for await (const line of rl) {
    const text = line.trim();
    if (text === '/exit' || text === '/quit') break;
    // A bare number picks a flow choice or a suggestion shown under the last reply.
    const picked = /^\d+$/.test(text) ? Number(text) - 1 : -1;
    const input =
      picked >= 0 && last.choices[picked]
        ? { kind: 'choice' as const, value: last.choices[picked].value }
        : picked >= 0 && last.choices.length === 0 && last.suggestions[picked]
          ? { kind: 'intent' as const, intent: last.suggestions[picked].intent }
          : { kind: 'text' as const, text };
    const result = core.engine.respond(input, state);
    state = result.state;
    last = result.reply;
    process.stdout.write(`助手：${formatReply(result.reply)}\n`);
    rl.prompt();
  }
  rl.close();
  return 0;
}

async function classifyJsonl(core: CoreServices): Promise<number> {
  const sessions = new Map<string, DialogueState>();
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  // Answers are written once per chunk of input rather than once per line (one write per answer
  // cost more than answering it); a caller that sends one line and waits still gets its answer
  // at once, because the flush runs as soon as the chunk's lines are done.
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length) process.stdout.write(pending.join(''));
    pending = [];
  };
  const out = (line: string) => {
    pending.push(line);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  let lineNo = 0;
  for await (const line of rl) {
    lineNo += 1;
    if (!line.trim()) continue;
    let id: unknown = null;
    try {
      const value = JSON.parse(line) as Record<string, unknown>;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('每行应为一个 JSON 对象');
      id = value.id ?? null;
      if (typeof value.text !== 'string') throw new Error('缺少字符串字段 text');
      const session = typeof value.session === 'string' || typeof value.session === 'number' ? String(value.session) : undefined;
      const result = core.engine.respond({ kind: 'text', text: value.text }, session ? sessions.get(session) : undefined);
      if (session) sessions.set(session, result.state);
      const { reply } = result;
      out(`${JSON.stringify({ id, intent: reply.intent, topic: reply.topic, confidence: reply.confidence, answer: reply.text })}\n`);
    } catch (error) {
      const why = error instanceof SyntaxError ? '不是有效的 JSON' : (error as Error).message;
      out(`${JSON.stringify({ id, error: `第${lineNo}行：${why}` })}\n`);
    }
  }
  flush();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    } else if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (error instanceof KnowledgeError) {
      for (const issue of error.issues) process.stderr.write(`${formatIssue(issue)}\n`);
      process.stderr.write(`${error.message}：请先修正数据（npm run check）。\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`出错了：${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  },
);
