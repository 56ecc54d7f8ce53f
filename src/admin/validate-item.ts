import type { z } from 'zod';
import { chineseZodMessage, fieldName } from '../knowledge/field-names.ts';
import { FactSchema, IntentSchema, type Fact, type Intent, type KnowledgeBase } from '../knowledge/schema.ts';
import { isTopic, topicOf } from '../knowledge/topics.ts';
import type { Issue } from '../lib/issues.ts';

/**
 * Checks one intent or fact an admin saves, with the same zod schema as the files plus the
 * cross-references that can be checked against the rest of the draft. Issues name the file the
 * item will be written to, so they read like the loader's, and carry the field in the editor's
 * words. Every problem is reported at once: the cross-references are checked even when the
 * schema fails, so an admin fixes the form in one round, not one error per save.
 */

type Path = (string | number)[];

function zodIssues(error: z.ZodError, file: string, prefix: string): Issue[] {
  return error.issues.map((zodIssue) => ({
    file,
    path: prefix + pathText(zodIssue.path as Path),
    field: fieldName(zodIssue.path),
    code: 'schema',
    severity: 'error' as const,
    message: chineseZodMessage(zodIssue),
  }));
}

const pathText = (path: Path) => path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('');

const issue = (file: string, prefix: string, path: Path, code: string, message: string): Issue => ({
  file,
  path: prefix + pathText(path),
  field: fieldName(path),
  code,
  severity: 'error',
  message,
});

/** Schema issues first, then the cross-reference issues on fields the schema did not already flag. */
function merge(schema: Issue[], cross: Issue[]): Issue[] {
  const flagged = new Set(schema.map((found) => found.path));
  return [...schema, ...cross.filter((found) => !flagged.has(found.path))];
}

/** The strings of a list as submitted (position kept, anything else skipped): the schema reports those. */
function strings(value: unknown): [number, string][] {
  return Array.isArray(value) ? value.flatMap((item, index): [number, string][] => (typeof item === 'string' ? [[index, item.trim()]] : [])) : [];
}

const field = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;

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
  const rawName = field(input, 'name');
  const name = typeof rawName === 'string' ? rawName.trim() : undefined;
  const file = name ? intentFile(name) : 'intents/?.yaml';
  const prefix = `intents[${name || '?'}]`;
  const parsed = IntentSchema.safeParse(input);
  const schema = parsed.success ? [] : zodIssues(parsed.error, file, prefix);
  const cross: Issue[] = [];
  const add = (path: Path, code: string, message: string) => cross.push(issue(file, prefix, path, code, message));

  const topic = name ? topicOf(name) : undefined;
  if (name && (topic === undefined || topic === 'none')) add(['name'], 'unknown_topic', '意图名的 topic 不在主题列表中');
  const factIds = new Set(kb.facts.map((fact) => fact.id));
  for (const [index, id] of strings(field(field(input, 'answer'), 'facts'))) {
    if (id && !factIds.has(id)) add(['answer', 'facts', index], 'unknown_fact', `事实 ${id} 不存在`);
  }
  const names = new Set(kb.intents.map((other) => other.name));
  for (const [index, followup] of strings(field(input, 'followups'))) {
    if (followup && !names.has(followup) && followup !== name) add(['followups', index], 'unknown_intent', `追问意图 ${followup} 不存在`);
  }
  const elsewhere = new Map<string, string>();
  for (const other of kb.intents) {
    if (other.name === name) continue;
    for (const example of other.examples) elsewhere.set(example.trim(), other.name);
  }
  for (const [index, example] of strings(field(input, 'examples'))) {
    const owner = elsewhere.get(example);
    if (owner) add(['examples', index], 'duplicate_example', `例句已在 ${owner} 中`);
  }
  const issues = merge(schema, cross);
  return parsed.success ? { intent: parsed.data, issues } : { issues };
}

export function checkFact(
  input: unknown,
  kb: Pick<KnowledgeBase, 'sources'>,
): { fact?: Fact; issues: Issue[] } {
  const rawTopic = field(input, 'topic');
  const rawId = field(input, 'id');
  const file = factFile(typeof rawTopic === 'string' && rawTopic ? rawTopic : '?');
  const prefix = `facts[${typeof rawId === 'string' && rawId ? rawId : '?'}]`;
  const parsed = FactSchema.safeParse(input);
  const schema = parsed.success ? [] : zodIssues(parsed.error, file, prefix);
  const cross: Issue[] = [];
  const add = (path: Path, code: string, message: string) => cross.push(issue(file, prefix, path, code, message));

  if (typeof rawTopic === 'string' && rawTopic && !isTopic(rawTopic)) add(['topic'], 'unknown_topic', 'topic 不在主题列表中');
  const sourceId = field(field(input, 'source'), 'id');
  if (typeof sourceId === 'string' && sourceId && !kb.sources.some((source) => source.id === sourceId)) {
    add(['source', 'id'], 'unknown_source', `来源 ${sourceId} 不存在`);
  }
  const text = field(input, 'text');
  for (const [index, figure] of strings(field(input, 'figures'))) {
    if (figure && typeof text === 'string' && !text.includes(figure)) add(['figures', index], 'figure_not_in_text', `数字 ${figure} 未出现在正文中`);
  }
  const issues = merge(schema, cross);
  return parsed.success ? { fact: parsed.data, issues } : { issues };
}
