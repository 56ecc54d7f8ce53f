import type { Fact } from '../knowledge/schema.ts';
import { conversationStarts, isMissed, votesOf, type Channel } from './conversations.ts';
import { daysOf, localDay, rangeInstants, type DateRange } from './date-range.ts';
import { groupSimilar, type InboxItem } from './inbox.ts';
import type { Exchange, Feedback, RuntimeStore } from './ports.ts';

/**
 * The console dashboard over a date range: messages and conversations per channel, per day and
 * per topic, handoffs, 👎 per topic, and the questions the bot most often did not understand.
 * `dashboardReport` is pure; `loadDashboard` reads only the range from the store.
 */

export interface ChannelFigures {
  channel: Channel;
  messages: number;
  /** Conversations that started in the range (as the 对话记录 page counts them). */
  conversations: number;
  missed: number;
  handoffs: number;
  up: number;
  down: number;
}

export interface TopicFeedback {
  topic: string;
  messages: number;
  up: number;
  down: number;
  /** 👎 among the rated answers of the topic (0 when none was rated). */
  downRate: number;
}

export interface UnansweredQuestion {
  /** The first message of a group of alike ones. */
  text: string;
  count: number;
  lastAt: string;
  /** A few other wordings from the group. */
  examples: string[];
}

export interface DashboardReport {
  range: DateRange;
  total: number;
  conversations: number;
  perDay: { day: string; count: number; fallback: number }[];
  topics: { topic: string; count: number }[];
  fallbackRate: number;
  feedback: { up: number; down: number; upRate: number; downRate: number };
  handoffs: number;
  channels: ChannelFigures[];
  topicFeedback: TopicFeedback[];
  unanswered: UnansweredQuestion[];
  overdueFacts: { id: string; topic: string; reviewBy: string }[];
}

/** Web and Telegram always have a row, even empty: staff compare the two. */
const CHANNELS: Channel[] = ['web', 'telegram'];
const UNANSWERED_LIMIT = 10;
/** Input that is not a question (a sticker, an empty or binary message) has nothing to learn from. */
const NOT_A_QUESTION = new Set<Exchange['kind']>(['unsupported', 'invalid']);

const rate = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

/**
 * `exchanges` may reach one context TTL beyond the range on each side: messages are counted only
 * inside it, conversations only if they started inside it (the margins let a conversation be
 * seen whole). Feedback counts for the exchange it rates, whenever it was given.
 */
export function dashboardReport(
  exchanges: readonly Exchange[],
  feedback: readonly Feedback[],
  facts: readonly Fact[],
  range: DateRange,
  ttlMinutes: number,
  now: Date,
): DashboardReport {
  const { since, until } = rangeInstants(range);
  const from = since.toISOString();
  const to = until.toISOString();
  const inRange = exchanges.filter((exchange) => exchange.at >= from && exchange.at < to);
  const votes = votesOf(feedback);
  // Formatting a date per exchange costs more than the rest of the loop; offsets are whole
  // minutes, so every exchange of one UTC minute falls on the same local day.
  const days = new Map<string, string>();
  const dayOf = (at: string) => {
    const minute = at.slice(0, 16);
    let day = days.get(minute);
    if (day === undefined) days.set(minute, (day = localDay(`${minute}:00Z`, range.offsetMinutes)));
    return day;
  };

  const channels = new Map<Channel, ChannelFigures>();
  const channelOf = (channel: Channel) => {
    let figures = channels.get(channel);
    if (!figures) channels.set(channel, (figures = { channel, messages: 0, conversations: 0, missed: 0, handoffs: 0, up: 0, down: 0 }));
    return figures;
  };
  for (const channel of CHANNELS) channelOf(channel);
  const perDay = new Map(daysOf(range).map((day) => [day, { count: 0, fallback: 0 }]));
  const topics = new Map<string, TopicFeedback>();
  const misses: InboxItem[] = [];
  let fallback = 0;
  let up = 0;
  let down = 0;
  let handoffs = 0;

  for (const exchange of inRange) {
    const missed = isMissed(exchange);
    const vote = votes.get(exchange.id);
    const figures = channelOf(exchange.channel);
    figures.messages += 1;
    const day = perDay.get(dayOf(exchange.at));
    if (day) day.count += 1;
    let topic = topics.get(exchange.topic);
    if (!topic) topics.set(exchange.topic, (topic = { topic: exchange.topic, messages: 0, up: 0, down: 0, downRate: 0 }));
    topic.messages += 1;
    if (missed) {
      fallback += 1;
      figures.missed += 1;
      if (day) day.fallback += 1;
    }
    if (exchange.kind === 'handoff') {
      handoffs += 1;
      figures.handoffs += 1;
    }
    if (vote === 'up') {
      up += 1;
      figures.up += 1;
      topic.up += 1;
    } else if (vote === 'down') {
      down += 1;
      figures.down += 1;
      topic.down += 1;
    }
    if (exchange.intent === 'none' && !NOT_A_QUESTION.has(exchange.kind) && exchange.text.trim()) {
      misses.push({ exchangeId: exchange.id, at: exchange.at, text: exchange.text, intent: 'none', confidence: exchange.confidence, reasons: ['none'], status: 'new' });
    }
  }

  let conversations = 0;
  for (const start of conversationStarts(exchanges, ttlMinutes)) {
    if (start.at < from || start.at >= to) continue;
    conversations += 1;
    channelOf(start.channel).conversations += 1;
  }

  const rated = up + down;
  // Facts are due as of today, whatever range is shown.
  const today = localDay(now, range.offsetMinutes);
  return {
    range,
    total: inRange.length,
    conversations,
    perDay: [...perDay.entries()].map(([day, value]) => ({ day, ...value })),
    topics: [...topics.values()].map(({ topic, messages }) => ({ topic, count: messages })).sort((a, b) => b.count - a.count),
    fallbackRate: rate(fallback, inRange.length),
    feedback: { up, down, upRate: rate(up, rated), downRate: rate(down, rated) },
    handoffs,
    channels: [...channels.values()],
    topicFeedback: [...topics.values()]
      .filter((topic) => topic.topic !== 'none')
      .map((topic) => ({ ...topic, downRate: rate(topic.down, topic.up + topic.down) }))
      // Worst first; at the same rate, the better-evidenced topic first, unrated ones last.
      .sort((a, b) => b.downRate - a.downRate || b.down + b.up - (a.down + a.up) || b.messages - a.messages),
    unanswered: groupSimilar(misses)
      .slice(0, UNANSWERED_LIMIT)
      .map((group) => ({
        text: group.text,
        count: group.size,
        lastAt: group.items[group.items.length - 1]!.at,
        examples: [...new Set(group.items.slice(1).map((item) => item.text))].filter((text) => text !== group.text).slice(0, 3),
      })),
    overdueFacts: facts
      .filter((fact) => fact.reviewBy !== undefined && fact.reviewBy < today)
      .map((fact) => ({ id: fact.id, topic: fact.topic, reviewBy: fact.reviewBy! }))
      .sort((a, b) => a.reviewBy.localeCompare(b.reviewBy)),
  };
}

/** Reads the range (with one TTL of margin each side) and the votes, then computes the report. */
export async function loadDashboard(
  store: RuntimeStore,
  facts: readonly Fact[],
  range: DateRange,
  ttlMinutes: number,
  now: Date,
): Promise<DashboardReport> {
  const { since, until } = rangeInstants(range);
  const margin = ttlMinutes * 60_000;
  const [exchanges, feedback] = await Promise.all([
    store.exchanges({ since: new Date(since.getTime() - margin), until: new Date(until.getTime() + margin) }),
    store.feedback(),
  ]);
  return dashboardReport(exchanges, feedback, facts, range, ttlMinutes, now);
}
