import type { z } from 'zod';
import { FactSchema, IntentSchema, type Fact, type Intent, type KnowledgeBase } from '../knowledge/schema.ts';
import { isTopic, topicOf } from '../knowledge/topics.ts';
import type { Issue } from '../lib/issues.ts';

/**
 * Checks one intent or fact an admin saves, with the same zod schema as the files plus the
 * cross-references that can be checked against the rest of the draft. Issues name the file the
 * item will be written to, so they read like the loader's.
 */

function zodIssues(error: z.ZodError, file: string, prefix: string): Issue[] {
  return error.issues.map((issue) => ({
    file,
    path: [prefix, ...issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))].join(''),
    code: 'schema',
    severity: 'error' as const,
    message: issue.message,
  }));
}

const issue = (file: string, path: string, code: string, message: string): Issue => ({
  file,
  path,
  code,
  severity: 'error',
  message,
});

export function intentFile(name: string): string {
  return `intents/${name.split('.')[0] ?? name}.yaml`;
}

export function factFile(topic: string): string {
  return `data/facts/${topic}.json`;
}

/** Parses an intent against the draft it joins (`others` = every other intent). */
export function checkIntent(
  input: unknown,
  kb: Pick<KnowledgeBase, 'facts'> & { intents: readonly Intent[] },
): { intent?: Intent; issues: Issue[] } {
  const rawName = (input as { name?: unknown } | null)?.name;
  const file = typeof rawName === 'string' ? intentFile(rawName) : 'intents/?.yaml';
  const prefix = `intents[${typeof rawName === 'string' ? rawName : '?'}]`;
  const parsed = IntentSchema.safeParse(input);
  if (!parsed.success) return { issues: zodIssues(parsed.error, file, prefix) };
  const intent = parsed.data;
  const issues: Issue[] = [];
  const topic = topicOf(intent.name);
  if (topic === undefined || topic === 'none') issues.push(issue(file, `${prefix}.name`, 'unknown_topic', '意图名的 topic 不在主题列表中'));
  const factIds = new Set(kb.facts.map((fact) => fact.id));
  intent.answer.facts.forEach((id, index) => {
    if (!factIds.has(id)) issues.push(issue(file, `${prefix}.answer.facts[${index}]`, 'unknown_fact', `事实 ${id} 不存在`));
  });
  const names = new Set(kb.intents.map((other) => other.name));
  intent.followups.forEach((name, index) => {
    if (!names.has(name) && name !== intent.name) {
      issues.push(issue(file, `${prefix}.followups[${index}]`, 'unknown_intent', `追问意图 ${name} 不存在`));
    }
  });
  const elsewhere = new Map<string, string>();
  for (const other of kb.intents) {
    if (other.name === intent.name) continue;
    for (const example of other.examples) elsewhere.set(example.trim(), other.name);
  }
  intent.examples.forEach((example, index) => {
    const owner = elsewhere.get(example.trim());
    if (owner) issues.push(issue(file, `${prefix}.examples[${index}]`, 'duplicate_example', `例句已在 ${owner} 中`));
  });
  return { intent, issues };
}

export function checkFact(
  input: unknown,
  kb: Pick<KnowledgeBase, 'sources'>,
): { fact?: Fact; issues: Issue[] } {
  const rawTopic = (input as { topic?: unknown } | null)?.topic;
  const rawId = (input as { id?: unknown } | null)?.id;
  const file = factFile(typeof rawTopic === 'string' ? rawTopic : '?');
  const prefix = `facts[${typeof rawId === 'string' ? rawId : '?'}]`;
  const parsed = FactSchema.safeParse(input);
  if (!parsed.success) return { issues: zodIssues(parsed.error, file, prefix) };
  const fact = parsed.data;
  const issues: Issue[] = [];
  if (!isTopic(fact.topic)) issues.push(issue(file, `${prefix}.topic`, 'unknown_topic', 'topic 不在主题列表中'));
  if (!kb.sources.some((source) => source.id === fact.source.id)) {
    issues.push(issue(file, `${prefix}.source.id`, 'unknown_source', `来源 ${fact.source.id} 不存在`));
  }
  fact.figures.forEach((figure, index) => {
    if (!fact.text.includes(figure)) issues.push(issue(file, `${prefix}.figures[${index}]`, 'figure_not_in_text', `数字 ${figure} 未出现在正文中`));
  });
  return { fact, issues };
}
