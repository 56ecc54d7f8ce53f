import {
  groupConversations,
  hasOutcome,
  hasTopic,
  summarise,
  votesOf,
  type Channel,
  type ConversationRecord,
  type ConversationSummary,
  type Outcome,
  type Vote,
} from './conversations.ts';
import { rangeInstants, type DateRange } from './date-range.ts';
import type { Exchange, RuntimeStore } from './ports.ts';

/**
 * The 对话记录 use cases: a page of conversations that started in a date range, and one
 * conversation as a transcript. Only the range is read from the store (plus one context TTL on
 * each side, so a conversation is neither split at the range's start nor cut at its end).
 */

export interface ConversationFilter {
  channel?: Channel;
  topic?: string;
  outcome?: Outcome;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  /** Conversations that match, on all pages. */
  total: number;
  page: number;
  pages: number;
  size: number;
  /** Matches per channel before the channel filter, so the filter can show what each holds. */
  channels: Record<string, number>;
}

export interface TranscriptTurn {
  exchangeId: string;
  at: string;
  text: string;
  reply: string;
  intent: string;
  topic: string;
  confidence: number;
  kind: Exchange['kind'];
  decidedBy: Exchange['decidedBy'];
  feedback?: Vote;
}

export interface Transcript extends ConversationSummary {
  /** Each message and the bot's reply, in order. */
  exchanges: TranscriptTurn[];
}

export async function listConversations(
  store: RuntimeStore,
  query: { range: DateRange; filter: ConversationFilter; page: number; size: number },
  ttlMinutes: number,
): Promise<ConversationPage> {
  const { since, until } = rangeInstants(query.range);
  const margin = ttlMinutes * 60_000;
  const [exchanges, feedback] = await Promise.all([
    store.exchanges({ since: new Date(since.getTime() - margin), until: new Date(until.getTime() + margin) }),
    store.feedback(),
  ]);
  const votes = votesOf(feedback);
  const from = since.toISOString();
  const to = until.toISOString();
  const { channel, topic, outcome } = query.filter;
  const channels: Record<string, number> = {};
  const matches: ConversationRecord[] = [];
  for (const record of groupConversations(exchanges, ttlMinutes)) {
    // Listed in the range it started in, so consecutive ranges never list one twice.
    const startedAt = record.exchanges[0]!.at;
    if (startedAt < from || startedAt >= to) continue;
    if (topic && !hasTopic(record, topic)) continue;
    if (outcome && !hasOutcome(record, outcome, votes)) continue;
    channels[record.channel] = (channels[record.channel] ?? 0) + 1;
    if (channel && record.channel !== channel) continue;
    matches.push(record);
  }
  matches.reverse(); // newest first
  const pages = Math.max(1, Math.ceil(matches.length / query.size));
  // A page past the end (the list shrank since the link was made) shows the last one.
  const page = Math.min(query.page, pages);
  return {
    // Only the page shown is summarised: a busy week holds tens of thousands of conversations.
    conversations: matches.slice((page - 1) * query.size, page * query.size).map((record) => summarise(record, votes)),
    total: matches.length,
    page,
    pages,
    size: query.size,
    channels,
  };
}

/** How far a transcript reads at a time, and at most (a month of chatting without a pause is not a conversation). */
const WINDOW_MS = 86_400_000;
const MAX_WINDOWS = 31;

/**
 * The conversation that starts at exchange `id`, read a day at a time until it falls silent, so
 * opening one costs its own days however long the history is. Undefined when the exchange is
 * gone (forgotten or past retention).
 */
export async function openConversation(store: RuntimeStore, id: string, ttlMinutes: number): Promise<Transcript | undefined> {
  const first = await store.findExchange(id);
  if (!first) return undefined;
  const gap = ttlMinutes * 60_000;
  const turns: Exchange[] = [];
  let since = new Date(first.at);
  for (let window = 0; window < MAX_WINDOWS; window += 1) {
    const until = new Date(since.getTime() + WINDOW_MS);
    const theirs = (await store.exchanges({ since, until })).filter((exchange) => exchange.chatKey === first.chatKey);
    let ended = false;
    for (const exchange of theirs) {
      if (turns.length === 0 && exchange.id !== first.id) continue; // same instant, earlier turn
      const last = turns[turns.length - 1];
      if (last && Date.parse(exchange.at) - Date.parse(last.at) > gap) {
        ended = true;
        break;
      }
      turns.push(exchange);
    }
    const last = turns[turns.length - 1];
    if (ended || !last || Date.parse(last.at) + gap < until.getTime()) break;
    since = until;
  }
  if (turns.length === 0) turns.push(first);
  const votes = votesOf((await store.feedback()).filter((entry) => entry.chatKey === first.chatKey));
  const summary = summarise({ id: first.id, chatKey: first.chatKey, channel: first.channel, exchanges: turns }, votes);
  return {
    ...summary,
    exchanges: turns.map((exchange) => ({
      exchangeId: exchange.id,
      at: exchange.at,
      text: exchange.text,
      reply: exchange.reply,
      intent: exchange.intent,
      topic: exchange.topic,
      confidence: exchange.confidence,
      kind: exchange.kind,
      decidedBy: exchange.decidedBy,
      ...(votes.has(exchange.id) ? { feedback: votes.get(exchange.id)! } : {}),
    })),
  };
}
