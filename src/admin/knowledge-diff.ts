import type { Fact, Intent, KnowledgeBase } from '../knowledge/schema.ts';
import { diffLines, itemLines, type DiffLine } from './text-diff.ts';

/**
 * What a draft changes against the live knowledge, item by item: the publish preview shows it so
 * an admin sees the edit itself, not only its score. Pure.
 */

type Items = Pick<KnowledgeBase, 'intents' | 'facts'>;

export interface ItemDiff {
  kind: 'intent' | 'fact';
  id: string;
  action: 'add' | 'edit' | 'delete';
  lines: DiffLine[];
}

export interface AddedExample {
  intent: string;
  text: string;
}

export function diffKnowledge(live: Items, draft: Items): ItemDiff[] {
  return [
    ...diffItems('intent', live.intents, draft.intents, (intent: Intent) => intent.name),
    ...diffItems('fact', live.facts, draft.facts, (fact: Fact) => fact.id),
  ];
}

function diffItems<T>(kind: ItemDiff['kind'], live: readonly T[], draft: readonly T[], idOf: (item: T) => string): ItemDiff[] {
  const before = new Map(live.map((item) => [idOf(item), item]));
  const after = new Map(draft.map((item) => [idOf(item), item]));
  const diffs: ItemDiff[] = [];
  for (const [id, item] of after) {
    const old = before.get(id);
    const oldLines = old === undefined ? [] : itemLines(old);
    const newLines = itemLines(item);
    if (old !== undefined && oldLines.join('\n') === newLines.join('\n')) continue;
    diffs.push({ kind, id, action: old === undefined ? 'add' : 'edit', lines: diffLines(oldLines, newLines) });
  }
  for (const [id, item] of before) {
    if (!after.has(id)) diffs.push({ kind, id, action: 'delete', lines: diffLines(itemLines(item), []) });
  }
  return diffs;
}

/**
 * Examples the draft has that the live intent of the same name does not (all of a new intent's;
 * an edited example counts as added in its new wording). Compared trimmed, as drafts store them.
 */
export function addedExamples(live: Pick<Items, 'intents'>, draft: Pick<Items, 'intents'>): AddedExample[] {
  const known = new Map(live.intents.map((intent) => [intent.name, new Set(intent.examples.map((text) => text.trim()))]));
  return draft.intents.flatMap((intent) => {
    const old = known.get(intent.name);
    return intent.examples.filter((text) => !old?.has(text.trim())).map((text) => ({ intent: intent.name, text }));
  });
}
