import { fnv1a64 } from '../lib/hash.ts';
import type { Exchange, Feedback } from './ports.ts';

/**
 * Whole conversations from stored exchanges, for the 对话记录 page. Pure.
 *
 * A conversation is one chat (chatKey) until it falls silent for longer than the context TTL:
 * the same rule that makes the bot forget the context (chat/conversation.ts `fresh`), so a
 * conversation here is exactly what the bot treated as one.
 */

export type Channel = Exchange['channel'];

/** How staff name the channels (console filters, tables, CSV). */
export const CHANNEL_LABELS: Record<Channel, string> = { web: '网页', telegram: 'Telegram', cli: '命令行' };
export type Vote = Feedback['value'];
export type Outcome = 'handoff' | 'down' | 'missed';

export interface ConversationRecord {
  /** The first exchange's id: stable, and enough to open the conversation again. */
  id: string;
  chatKey: string;
  channel: Channel;
  /** In time order. */
  exchanges: Exchange[];
}

export interface ConversationSummary {
  id: string;
  /** A short pseudonym of the chat: the same citizen's conversations match, the raw id is not shown. */
  who: string;
  channel: Channel;
  startedAt: string;
  endedAt: string;
  firstText: string;
  turns: number;
  /** Topics the bot answered, in the order they came up (`none` left out: see `missed`). */
  topics: string[];
  /** The bot handed the citizen to a person. */
  handoff: boolean;
  /** Messages the bot did not understand (没听懂). */
  missed: number;
  up: number;
  down: number;
}

/** The same rule as the dashboard's fallback rate (stats.ts). */
export const isMissed = (exchange: Exchange) => exchange.intent === 'none' || exchange.decidedBy === 'fallback';

/**
 * Groups exchanges into conversations in one pass, keeping one open conversation per chat. The
 * stores list exchanges in time order; if they ever are not, they are sorted first, because a
 * gap can only be measured between neighbours in time. Result in order of start.
 */
export function groupConversations(exchanges: readonly Exchange[], ttlMinutes: number): ConversationRecord[] {
  const ordered = isSorted(exchanges) ? exchanges : [...exchanges].sort((a, b) => a.at.localeCompare(b.at));
  const gap = ttlMinutes * 60_000;
  const open = new Map<string, { record: ConversationRecord; last: number }>();
  const records: ConversationRecord[] = [];
  for (const exchange of ordered) {
    const at = Date.parse(exchange.at);
    const current = open.get(exchange.chatKey);
    // Strictly longer than the TTL breaks, as in `fresh`: a reply at exactly the TTL still has context.
    if (current && at - current.last <= gap) {
      current.record.exchanges.push(exchange);
      current.last = at;
      continue;
    }
    const record: ConversationRecord = { id: exchange.id, chatKey: exchange.chatKey, channel: exchange.channel, exchanges: [exchange] };
    records.push(record);
    open.set(exchange.chatKey, { record, last: at });
  }
  return records;
}

/**
 * The first exchange of each conversation, by the same rule as `groupConversations` but keeping
 * only one timestamp per chat: for counts, where building every conversation would be garbage.
 */
export function conversationStarts(exchanges: readonly Exchange[], ttlMinutes: number): Exchange[] {
  const ordered = isSorted(exchanges) ? exchanges : [...exchanges].sort((a, b) => a.at.localeCompare(b.at));
  const gap = ttlMinutes * 60_000;
  const last = new Map<string, number>();
  const starts: Exchange[] = [];
  for (const exchange of ordered) {
    const at = Date.parse(exchange.at);
    const previous = last.get(exchange.chatKey);
    if (previous === undefined || at - previous > gap) starts.push(exchange);
    last.set(exchange.chatKey, at);
  }
  return starts;
}

function isSorted(exchanges: readonly Exchange[]): boolean {
  for (let index = 1; index < exchanges.length; index += 1) if (exchanges[index - 1]!.at > exchanges[index]!.at) return false;
  return true;
}

/** Each exchange's vote (the stores keep one per exchange: the latest click). */
export function votesOf(feedback: readonly Feedback[]): Map<string, Vote> {
  return new Map(feedback.map((entry) => [entry.exchangeId, entry.value]));
}

export const pseudonym = (chatKey: string) => fnv1a64(chatKey).slice(0, 8);

export function summarise(record: ConversationRecord, votes: ReadonlyMap<string, Vote>): ConversationSummary {
  const first = record.exchanges[0]!;
  const topics: string[] = [];
  let missed = 0;
  let up = 0;
  let down = 0;
  let handoff = false;
  for (const exchange of record.exchanges) {
    if (exchange.topic !== 'none' && !topics.includes(exchange.topic)) topics.push(exchange.topic);
    if (isMissed(exchange)) missed += 1;
    if (exchange.kind === 'handoff') handoff = true;
    const vote = votes.get(exchange.id);
    if (vote === 'up') up += 1;
    if (vote === 'down') down += 1;
  }
  return {
    id: record.id,
    who: pseudonym(record.chatKey),
    channel: record.channel,
    startedAt: first.at,
    endedAt: record.exchanges[record.exchanges.length - 1]!.at,
    firstText: first.text,
    turns: record.exchanges.length,
    topics,
    handoff,
    missed,
    up,
    down,
  };
}

/** Checked on the exchanges, so a list filters without summarising conversations it will not show. */
export function hasOutcome(record: ConversationRecord, outcome: Outcome, votes: ReadonlyMap<string, Vote>): boolean {
  if (outcome === 'handoff') return record.exchanges.some((exchange) => exchange.kind === 'handoff');
  if (outcome === 'down') return record.exchanges.some((exchange) => votes.get(exchange.id) === 'down');
  return record.exchanges.some(isMissed);
}

export const hasTopic = (record: ConversationRecord, topic: string) => record.exchanges.some((exchange) => exchange.topic === topic);
