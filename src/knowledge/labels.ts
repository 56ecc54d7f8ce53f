import type { Intent } from './schema.ts';
import { NONE_INTENT, TOPIC_LABELS, isTopic } from './topics.ts';

/**
 * Chinese names for topic and intent ids, for everything staff read: the test bench, the
 * knowledge editor, Telegram /stats and the CLI. Staff think in 法律援助, not `legal_aid`; the id
 * stays beside the name (small type on a page, in brackets in plain text) so a name that two
 * intents happen to share can still be told apart and looked up in the files.
 *
 * An intent's name is its `question` (what a citizen would ask, short: the follow-up button
 * label), or its `description` when the question is blank. An id nobody knows is shown as it is:
 * inventing a name for it would hide the typo staff need to see.
 */

export type IntentLabelSource = Pick<Intent, 'name'> & Partial<Pick<Intent, 'question' | 'description'>>;

/** What the console pages get: id → Chinese name, for topics and for intents. */
export interface LabelMaps {
  topics: Record<string, string>;
  intents: Record<string, string>;
}

export interface Labels {
  /** Chinese name of a topic id, or the id itself when it is not a topic. */
  topic(id: string): string;
  /** Chinese name of an intent, or the name itself when no intent has it. */
  intent(name: string): string;
  /** `法律援助（legal_aid）`; just the id when it has no Chinese name. For plain text. */
  topicWithId(id: string): string;
  /** `法律援助怎么申请？（legal_aid.how_to_apply）`; just the id when it has no Chinese name. */
  intentWithId(name: string): string;
  /** A topic or an intent, whichever `id` looks like (batch files mix both in `expected`). */
  expectedWithId(id: string): string;
  isTopic(id: string): boolean;
  isIntent(name: string): boolean;
  maps(): LabelMaps;
}

/** The name for "the bot did not understand" (`none` is both an intent and a topic). */
export const NONE_LABEL = '未理解';

export function createLabels(intents: readonly IntentLabelSource[]): Labels {
  const intentNames = new Map<string, string>();
  const known = new Set(intents.map((intent) => intent.name));
  for (const intent of intents) {
    const name = intent.question?.trim() || intent.description?.trim();
    if (name) intentNames.set(intent.name, name);
  }
  const topic = (id: string) => (id === NONE_INTENT ? NONE_LABEL : isTopic(id) ? TOPIC_LABELS[id] : id);
  const intent = (name: string) => (name === NONE_INTENT ? NONE_LABEL : (intentNames.get(name) ?? name));
  const withId = (label: string, id: string) => (label === id ? id : `${label}（${id}）`);
  return {
    topic,
    intent,
    topicWithId: (id) => withId(topic(id), id),
    intentWithId: (name) => withId(intent(name), name),
    expectedWithId: (id) => (id.includes('.') ? withId(intent(id), id) : withId(topic(id), id)),
    isTopic: (id) => isTopic(id),
    isIntent: (name) => name === NONE_INTENT || known.has(name),
    maps: () => ({
      topics: { ...TOPIC_LABELS, [NONE_INTENT]: NONE_LABEL },
      intents: { ...Object.fromEntries(intentNames), [NONE_INTENT]: NONE_LABEL },
    }),
  };
}

/**
 * The topic id a staff member meant in a batch file's `expected` column: the id itself, or its
 * Chinese name as the console shows it (法律援助 → legal_aid), which is what people type in Excel.
 */
export function topicFromName(value: string): string | undefined {
  const trimmed = value.trim();
  if (isTopic(trimmed)) return trimmed;
  const found = Object.entries(TOPIC_LABELS).find(([, label]) => label === trimmed);
  return found?.[0];
}
