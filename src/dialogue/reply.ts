import type { KnowledgeIndex } from '../knowledge/facts.ts';
import type { Fact, Intent } from '../knowledge/schema.ts';
import { NONE_INTENT, TOPIC_LABELS, topicOf, type Topic } from '../knowledge/topics.ts';
import { messages } from './messages.ts';
import type { Choice, Reply, ReplyKind, SourceRef, Suggestion } from './types.ts';

/**
 * Stage 5: a Reply built from facts. The text leads with the facts (each already leads with
 * what to do), then what the store does not hold, then a note on dating and scope, then the
 * sources. Nothing here states a fact of its own.
 */

interface Base {
  kind: ReplyKind;
  intent: string;
  confidence: number;
}

export function answerReply(
  index: KnowledgeIndex,
  intent: Intent,
  base: Base,
  options: { others?: string[]; lead?: string; safety?: Fact } = {},
): { reply: Reply; facts: Fact[] } {
  const own = index.factsFor(intent);
  // The safety line of an uncertain danger signal comes first, and is cited like any fact.
  const facts = options.safety && !own.includes(options.safety) ? [options.safety, ...own] : own;
  const lines: string[] = [];
  if (options.lead) lines.push(options.lead);
  lines.push(...facts.map((fact) => fact.text.trim()));
  if (intent.answer.missing) lines.push(messages.missing(intent.answer.missing, intent.answer.missingAsk));
  const topic = topicOf(intent.name);
  if (topic === 'triage') lines.push(messages.triageNote);
  lines.push(...scopeNote(own));

  const others = (options.others ?? []).flatMap((name) => index.intent(name) ?? []);
  if (others.length > 0) lines.push(messages.otherMatters(others.map((other) => labelOfTopic(other.name))));

  const sources = sourcesOf(index, facts);
  if (sources.length > 0) lines.push(sourceLine(sources));
  const suggestions = [
    ...others.map(toSuggestion),
    ...intent.followups.flatMap((name) => index.intent(name) ?? []).map(toSuggestion),
  ].slice(0, 4);
  const kind: ReplyKind = base.kind === 'answer' && own.length === 0 && intent.answer.missing ? 'no_fact' : base.kind;
  return {
    reply: {
      ...base, kind, topic: topic ?? NONE_INTENT, text: lines.join('\n'), sources, suggestions, choices: [],
      ...(options.safety ? { safety: 'possible' as const } : {}),
    },
    facts,
  };
}

/**
 * What the reader should know about the figures' date: a city figure is the report's, dated
 * 2020 — or, for the few the report counts "截至报告时", the report's own date. An answer that is
 * mostly national law gets no city note (its one city line says "2020年" itself).
 */
function scopeNote(facts: readonly Fact[]): string[] {
  const city = facts.filter((fact) => fact.scope === 'city_2020');
  const national = facts.filter((fact) => fact.scope === 'national');
  if (city.length > 0 && city.length >= national.length) {
    return [city.some((fact) => fact.asOf > '2020-12-31') ? messages.cityReportDateNote : messages.cityFigureNote];
  }
  if (facts.length > 0 && national.length === facts.length) return [messages.nationalRuleNote];
  return [];
}

/** A reply that is not an answer from facts: clarification, menu, notices. */
export function plainReply(
  kind: ReplyKind,
  text: string,
  options: { intent?: string; confidence?: number; suggestions?: Suggestion[]; choices?: Choice[] } = {},
): Reply {
  const intent = options.intent ?? NONE_INTENT;
  return {
    kind,
    intent,
    topic: topicOf(intent) ?? NONE_INTENT,
    confidence: options.confidence ?? 0,
    text,
    sources: [],
    suggestions: options.suggestions ?? [],
    choices: options.choices ?? [],
  };
}

export function menuSuggestions(index: KnowledgeIndex): Suggestion[] {
  return index.menuEntries().map(({ topic, intent }) => ({ label: TOPIC_LABELS[topic], intent: intent.name }));
}

export function toSuggestion(intent: Intent): Suggestion {
  return { label: intent.question, intent: intent.name };
}

export function sourcesOf(index: KnowledgeIndex, facts: Fact[]): SourceRef[] {
  const refs: SourceRef[] = [];
  for (const fact of facts) {
    const source = index.source(fact.source.id);
    if (source?.kind === 'self') continue; // the bot describing itself is not a source to cite
    const title = source?.title ?? fact.source.id;
    if (!refs.some((ref) => ref.title === title && ref.section === fact.source.section)) {
      refs.push({ title, section: fact.source.section, scope: fact.scope });
    }
  }
  return refs;
}

/**
 * One line, sections of the same document grouped and never repeated: 《法律援助法》第三十一条、
 * 第三十八条 (two facts citing "第二十九条" and "第二十九条、第三十一条" give each article once).
 */
export function sourceLine(sources: SourceRef[]): string {
  const byTitle = new Map<string, string[]>();
  for (const ref of sources) {
    const sections = byTitle.get(ref.title) ?? [];
    for (const section of ref.section.split('、')) if (!sections.includes(section)) sections.push(section);
    byTitle.set(ref.title, sections);
  }
  return messages.sourcesPrefix + [...byTitle].map(([title, sections]) => `《${title}》${sections.join('、')}`).join('；');
}

function labelOfTopic(intentName: string): string {
  const topic = topicOf(intentName);
  return topic && topic !== 'none' ? TOPIC_LABELS[topic as Topic] : intentName;
}
