import type { Issue } from '../lib/issues.ts';
import { SAFETY_LINE_FACT } from './facts.ts';
import { findLeaks, leakIssues, type EvalText } from './leaks.ts';
import type { KnowledgeBase } from './schema.ts';
import { isTopic, topicOf } from './topics.ts';

/**
 * Cross-file checks that a schema cannot express (Rasa's validator, Botpress' linting codes).
 * Errors refuse the data; warnings are shown to admins. All issues are returned, not the first.
 */

/** National numbers a fact may state. Any other phone-like number is refused: we never invent one. */
const ALLOWED_NUMBERS = new Set([
  '110', '119', '120', '122', '12315', '12333', '12338', '12345', '12348', '12356', '12369',
]);

export interface LintOptions {
  /** The engine's normaliser, so 干服通 and 赣服通 count as the same example. */
  normalize?: (text: string) => string;
  /** Evaluation questions (eval/): an example equal or nearly equal to one leaks it. */
  evalTexts?: readonly EvalText[];
  /** `error` in `npm run check` and CI; a warning when an admin publishes. */
  leakSeverity?: Issue['severity'];
}

export function lintKnowledge(kb: KnowledgeBase, options: LintOptions = {}): Issue[] {
  const leaks = options.evalTexts?.length
    ? leakIssues(kb, findLeaks(kb, options.evalTexts, options.normalize ?? ((text) => text)), options.leakSeverity ?? 'warning')
    : [];
  return [...lintIntents(kb, options), ...lintFacts(kb), ...lintFlows(kb), ...leaks];
}

function lintFlows(kb: KnowledgeBase): Issue[] {
  const issues: Issue[] = [];
  const factIds = new Set(kb.facts.map((fact) => fact.id));
  for (const flow of kb.flows) {
    const file = `data/flows/${flow.id}.yaml`;
    const issue = (path: string, code: string, message: string) => issues.push({ file, path, code, severity: 'error', message });
    if (!flow.steps[flow.start]) issue('start', 'E_FLOW_STEP', `起始步骤 ${flow.start} 不存在`);
    for (const [stepId, step] of Object.entries(flow.steps)) {
      step.choices.forEach((choice, i) => {
        if (choice.next && !flow.steps[choice.next]) issue(`steps.${stepId}.choices[${i}].next`, 'E_FLOW_STEP', `步骤 ${choice.next} 不存在`);
        if (choice.result && !flow.results[choice.result]) issue(`steps.${stepId}.choices[${i}].result`, 'E_FLOW_RESULT', `结果 ${choice.result} 不存在`);
      });
    }
    for (const [resultId, result] of Object.entries(flow.results)) {
      result.facts.forEach((id, i) => {
        if (!factIds.has(id)) issue(`results.${resultId}.facts[${i}]`, 'E_UNKNOWN_FACT', `事实 ${id} 不存在于 data/facts/`);
      });
    }
  }
  return issues;
}

function intentFile(name: string): string {
  return `intents/${name.split('.')[0] ?? 'unknown'}.yaml`;
}

function lintIntents(kb: KnowledgeBase, options: LintOptions): Issue[] {
  const issues: Issue[] = [];
  const normalize = options.normalize ?? ((text: string) => text.trim());
  const names = new Set<string>();
  const factIds = new Set(kb.facts.map((fact) => fact.id));
  const intentNames = new Set(kb.intents.map((intent) => intent.name));
  const seenExamples = new Map<string, string>();
  const indexInFile = new Map<string, number>();

  for (const intent of kb.intents) {
    const file = intentFile(intent.name);
    const index = indexInFile.get(file) ?? 0;
    indexInFile.set(file, index + 1);
    const at = `intents[${index}]`;
    const issue = (path: string, code: string, message: string, severity: Issue['severity'] = 'error') =>
      issues.push({ file, path: `${at}${path}`, code, severity, message });

    if (!topicOf(intent.name)) issue('.name', 'E_UNKNOWN_TOPIC', `意图 ${intent.name} 的主题不在 topics.md 列表中`);
    if (names.has(intent.name)) issue('.name', 'E_DUPLICATE_INTENT', `意图 ${intent.name} 重复定义`);
    names.add(intent.name);

    intent.examples.forEach((example, i) => {
      const key = normalize(example);
      const owner = seenExamples.get(key);
      if (owner && owner !== intent.name) {
        issue(`.examples[${i}]`, 'E_DUPLICATE_EXAMPLE', `例句「${example}」同时出现在 ${owner} 和 ${intent.name} 下`);
      } else if (owner === intent.name) {
        issue(`.examples[${i}]`, 'W_REPEATED_EXAMPLE', `例句「${example}」在本意图中重复`, 'warning');
      }
      seenExamples.set(key, intent.name);
    });

    intent.answer.facts.forEach((id, i) => {
      if (!factIds.has(id)) issue(`.answer.facts[${i}]`, 'E_UNKNOWN_FACT', `事实 ${id} 不存在于 data/facts/`);
    });
    if (intent.answer.facts.length === 0 && !intent.answer.missing && !intent.answer.flow) {
      issue('.answer', 'E_NO_ANSWER', `意图 ${intent.name} 没有答案：请列出 facts，或用 missing 说明缺少的信息`);
    }
    if (intent.answer.flow && !kb.flows.some((flow) => flow.id === intent.answer.flow)) {
      issue('.answer.flow', 'E_UNKNOWN_FLOW', `引导流程 ${intent.answer.flow} 不存在于 data/flows/`);
    }
    intent.followups.forEach((name, i) => {
      if (!intentNames.has(name)) issue(`.followups[${i}]`, 'E_UNKNOWN_FOLLOWUP', `追问意图 ${name} 不存在`);
      if (name === intent.name) issue(`.followups[${i}]`, 'W_SELF_FOLLOWUP', '追问指向自身', 'warning');
    });
    intent.patterns.forEach((pattern, i) => {
      try {
        new RegExp(pattern, 'u');
      } catch (error) {
        issue(`.patterns[${i}]`, 'E_BAD_PATTERN', `正则无效：${(error as Error).message}`);
      }
    });
    const topic = topicOf(intent.name);
    if (intent.priority === 'override' && topic !== 'emergency' && topic !== 'handoff') {
      issue('.priority', 'W_OVERRIDE_OUTSIDE_EMERGENCY', 'override 只应用于紧急求助和转人工', 'warning');
    }
  }
  return issues;
}

function lintFacts(kb: KnowledgeBase): Issue[] {
  const issues: Issue[] = [];
  const sourceIds = new Set(kb.sources.map((source) => source.id));
  const used = new Set([...kb.intents.flatMap((intent) => intent.answer.facts), SAFETY_LINE_FACT]);
  if (kb.intents.some((intent) => topicOf(intent.name) === 'emergency') && !kb.facts.some((fact) => fact.id === SAFETY_LINE_FACT)) {
    issues.push({
      file: 'data/facts/emergency.json', path: 'facts', code: 'W_NO_SAFETY_LINE', severity: 'warning',
      message: `缺少事实 ${SAFETY_LINE_FACT}：不确定是否有危险时，回答前面就没有110/120提示`,
    });
  }
  const seen = new Set<string>();
  const indexInFile = new Map<string, number>();

  for (const fact of kb.facts) {
    const file = `data/facts/${fact.topic}.json`;
    const index = indexInFile.get(file) ?? 0;
    indexInFile.set(file, index + 1);
    const issue = (path: string, code: string, message: string, severity: Issue['severity'] = 'error') =>
      issues.push({ file, path: `facts[${index}]${path}`, code, severity, message });

    if (!isTopic(fact.topic)) issue('.topic', 'E_UNKNOWN_TOPIC', `主题 ${fact.topic} 不在 topics.md 列表中`);
    if (!fact.id.startsWith(`${fact.topic}.`)) issue('.id', 'E_FACT_TOPIC', `事实编号 ${fact.id} 应以 ${fact.topic}. 开头`);
    if (seen.has(fact.id)) issue('.id', 'E_DUPLICATE_FACT', `事实编号 ${fact.id} 重复`);
    seen.add(fact.id);
    if (!sourceIds.has(fact.source.id)) issue('.source.id', 'E_UNKNOWN_SOURCE', `来源 ${fact.source.id} 不在 data/sources.json 中`);
    fact.figures.forEach((figure, i) => {
      if (!fact.text.includes(figure)) issue(`.figures[${i}]`, 'E_FIGURE_NOT_IN_TEXT', `数字「${figure}」没有出现在正文中`);
    });
    for (const number of fact.text.match(/\d{3,}/g) ?? []) {
      const isYearOrCount = /^(19|20)\d\d$/.test(number) || fact.figures.includes(number);
      if (!ALLOWED_NUMBERS.has(number) && !isYearOrCount && number.length >= 5) {
        issue('.text', 'E_UNLISTED_NUMBER', `正文含有号码「${number}」：只允许全国统一号码，数字须列入 figures`);
      }
    }
    if (/https?:\/\/|www\./i.test(fact.text)) issue('.text', 'E_URL', '正文不得包含网址（未经核实）');
    if (!used.has(fact.id)) issue('.id', 'W_UNUSED_FACT', `事实 ${fact.id} 没有被任何意图使用`, 'warning');
  }
  return issues;
}
