import type { Fact, Intent, KnowledgeBase, Source } from './schema.ts';
import { TOPICS, topicOf, type Topic } from './topics.ts';

/**
 * Pure look-ups over loaded knowledge. "No fact for this" is a value (an empty list plus the
 * intent's `missing` note), never a guess.
 */
export interface KnowledgeIndex {
  kb: KnowledgeBase;
  intent(name: string): Intent | undefined;
  fact(id: string): Fact | undefined;
  source(id: string): Source | undefined;
  /** The facts an intent's answer uses, in order (unknown ids are skipped; lint reports them). */
  factsFor(intent: Intent): Fact[];
  /** The first intent of each citizen-facing topic: what a menu button answers. */
  menuEntries(): Array<{ topic: Topic; intent: Intent }>;
}

/**
 * The line an uncertain danger signal puts before the answer ("如果您现在有危险，请拨打110").
 * Used by the engine, not by an intent; lint checks it exists.
 */
export const SAFETY_LINE_FACT = 'emergency.safety_line';

/** Topics a citizen picks from a menu; the others are reached by what they type. */
const MENU_TOPICS: readonly Topic[] = TOPICS.filter(
  (topic) => !['emergency', 'handoff', 'chitchat', 'out_of_scope'].includes(topic),
);

export function indexKnowledge(kb: KnowledgeBase): KnowledgeIndex {
  const intents = new Map(kb.intents.map((intent) => [intent.name, intent]));
  const facts = new Map(kb.facts.map((fact) => [fact.id, fact]));
  const sources = new Map(kb.sources.map((source) => [source.id, source]));
  const menu = MENU_TOPICS.flatMap((topic) => {
    const entry = kb.intents.find((intent) => topicOf(intent.name) === topic);
    return entry ? [{ topic, intent: entry }] : [];
  });
  return {
    kb,
    intent: (name) => intents.get(name),
    fact: (id) => facts.get(id),
    source: (id) => sources.get(id),
    factsFor: (intent) => intent.answer.facts.flatMap((id) => facts.get(id) ?? []),
    menuEntries: () => menu,
  };
}
