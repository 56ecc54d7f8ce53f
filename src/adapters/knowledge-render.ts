import { isMap, isScalar, isSeq, parseDocument, Document, type YAMLMap } from 'yaml';
import { ValidationError } from '../admin/errors.ts';
import type { FileChanges, KnowledgeFiles } from '../admin/publish-ports.ts';
import { FactFileSchema, IntentFileSchema, type Fact, type Intent } from '../knowledge/schema.ts';
import type { Issue } from '../lib/issues.ts';

/**
 * Renders the console's intents and facts as the files `intents/<topic>.yaml` and
 * `data/facts/<topic>.json`. YAML files are edited through the `yaml` Document API, node by
 * node, so admins' comments and layout survive on everything that did not change; files whose
 * content did not change are left out of the changes. Writing them is knowledge-writer.ts's job.
 */

const INTENT_DEFAULTS: Record<string, unknown> = { priority: 'normal', keywords: [], patterns: [], followups: [] };

function topicOfName(name: string): string {
  return name.split('.')[0] ?? name;
}

/**
 * Renders the files for `intents` and `facts`, reusing `current` text where possible. Every
 * rendered file is parsed back and checked against the file schema; any failure throws
 * ValidationError before anything is written.
 */
export function renderKnowledge(
  kb: { intents: readonly Intent[]; facts: readonly Fact[] },
  current: KnowledgeFiles,
): FileChanges {
  const changes: FileChanges = {};
  const issues: Issue[] = [];
  const intentsByTopic = groupBy(kb.intents, (intent) => topicOfName(intent.name));
  const factsByTopic = groupBy(kb.facts, (fact) => fact.topic);

  for (const [topic, intents] of intentsByTopic) {
    const key = `intents/${topic}.yaml`;
    const text = renderIntentFile(topic, intents, current[key]);
    if (text === current[key]) continue;
    const parsed = IntentFileSchema.safeParse(parseDocument(text).toJS());
    if (!parsed.success) issues.push(...schemaIssues(key, parsed.error.issues));
    changes[key] = text;
  }
  for (const [topic, facts] of factsByTopic) {
    const key = `data/facts/${topic}.json`;
    const text = renderFactFile(topic, facts, current[key]);
    if (text === current[key]) continue;
    const parsed = FactFileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) issues.push(...schemaIssues(key, parsed.error.issues));
    changes[key] = text;
  }
  for (const key of Object.keys(current)) {
    const topic = key.replace(/^(intents|data\/facts)\//, '').replace(/\.(yaml|json)$/, '');
    const used = key.startsWith('intents/') ? intentsByTopic.has(topic) : factsByTopic.has(topic);
    if (!used) changes[key] = null;
  }
  if (issues.length > 0) throw new ValidationError(issues, '生成的文件未通过校验，未写入任何文件');
  return changes;
}

function schemaIssues(file: string, list: { path: PropertyKey[]; message: string }[]): Issue[] {
  return list.map((item) => ({
    file,
    path: item.path.map(String).join('.'),
    code: 'schema',
    severity: 'error' as const,
    message: item.message,
  }));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

function renderFactFile(topic: string, facts: readonly Fact[], existing: string | undefined): string {
  if (existing !== undefined) {
    try {
      const old = FactFileSchema.parse(JSON.parse(existing));
      if (JSON.stringify(old.facts) === JSON.stringify(facts)) return existing;
    } catch {
      // an unreadable old file is simply replaced by the rendered one
    }
  }
  return `${JSON.stringify({ version: 1, topic, facts }, null, 2)}\n`;
}

function renderIntentFile(topic: string, intents: readonly Intent[], existing: string | undefined): string {
  const doc = existing === undefined ? undefined : parseDocument(existing);
  if (!doc || doc.errors.length > 0 || !isSeq(doc.get('intents', true))) {
    const fresh = new Document({ version: 1, topic, intents: intents.map((intent) => compact(intent, undefined)) });
    return fresh.toString({ lineWidth: 0 });
  }
  const parsed = IntentFileSchema.safeParse(doc.toJS());
  if (parsed.success && JSON.stringify(parsed.data.intents) === JSON.stringify(intents)) return existing!;
  const seq = doc.get('intents', true);
  if (!isSeq(seq)) throw new Error('unreachable');
  const byName = new Map<string, YAMLMap>();
  for (const node of seq.items) if (isMap(node)) byName.set(String(node.get('name')), node);
  seq.items = intents.map((intent) => {
    const node = byName.get(intent.name);
    if (!node) return doc.createNode(compact(intent, undefined));
    updateMap(doc, node, compact(intent, node));
    return node;
  });
  return doc.toString({ lineWidth: 0 });
}

/** Drops default-valued keys the file did not spell out, so a save does not add noise. */
function compact(intent: Intent, node: YAMLMap | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(intent)) {
    const isDefault = key in INTENT_DEFAULTS && JSON.stringify(INTENT_DEFAULTS[key]) === JSON.stringify(value);
    if (isDefault && !node?.has(key)) continue;
    if (key === 'answer') {
      const answer = { ...(value as Intent['answer']) } as Record<string, unknown>;
      const answerNode = node?.get('answer', true);
      if ((answer.facts as string[]).length === 0 && !(isMap(answerNode) && answerNode.has('facts'))) delete answer.facts;
      out[key] = answer;
      continue;
    }
    out[key] = value;
  }
  return out;
}

function updateMap(doc: Document, node: YAMLMap, value: Record<string, unknown>): void {
  for (const pair of [...node.items]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!(key in value)) node.delete(key);
  }
  for (const [key, next] of Object.entries(value)) {
    const child = node.get(key, true);
    const old = child === undefined ? undefined : isScalar(child) ? child.value : (child as { toJSON(): unknown }).toJSON();
    if (JSON.stringify(old) === JSON.stringify(next)) continue;
    if (isMap(child) && next && typeof next === 'object' && !Array.isArray(next)) {
      updateMap(doc, child, next as Record<string, unknown>);
    } else if (isSeq(child) && Array.isArray(next) && next.every((item) => typeof item !== 'object')) {
      // Reuse the scalar nodes that stay, so their comments stay with them.
      const pool = [...child.items];
      child.items = next.map((item) => {
        const at = pool.findIndex((candidate) => isScalar(candidate) && candidate.value === item);
        return at >= 0 ? pool.splice(at, 1)[0]! : doc.createNode(item);
      });
    } else if (isScalar(child) && (typeof next === 'string' || typeof next === 'number')) {
      child.value = next;
    } else {
      node.set(key, doc.createNode(next));
    }
  }
}
