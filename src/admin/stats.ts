import type { Fact } from '../knowledge/schema.ts';
import type { Exchange, Feedback } from './ports.ts';

/** Dashboard figures from the runtime store. Pure. */

export interface DashboardStats {
  total: number;
  perDay: { day: string; count: number; fallback: number }[];
  topics: { topic: string; count: number }[];
  /** Share of messages answered `none` (clarify/fallback). */
  fallbackRate: number;
  feedback: { up: number; down: number; upRate: number; downRate: number };
  overdueFacts: { id: string; topic: string; reviewBy: string }[];
}

const isFallback = (exchange: Exchange) => exchange.intent === 'none' || exchange.decidedBy === 'fallback';

export function dashboardStats(
  exchanges: readonly Exchange[],
  feedback: readonly Feedback[],
  facts: readonly Fact[],
  now: Date,
  days = 14,
): DashboardStats {
  const perDay = new Map<string, { count: number; fallback: number }>();
  for (let back = days - 1; back >= 0; back -= 1) {
    const day = new Date(now.getTime() - back * 86_400_000).toISOString().slice(0, 10);
    perDay.set(day, { count: 0, fallback: 0 });
  }
  const topics = new Map<string, number>();
  let fallback = 0;
  for (const exchange of exchanges) {
    const bucket = perDay.get(exchange.at.slice(0, 10));
    if (bucket) {
      bucket.count += 1;
      if (isFallback(exchange)) bucket.fallback += 1;
    }
    if (isFallback(exchange)) fallback += 1;
    topics.set(exchange.topic, (topics.get(exchange.topic) ?? 0) + 1);
  }
  const up = feedback.filter((entry) => entry.value === 'up').length;
  const down = feedback.length - up;
  const today = now.toISOString().slice(0, 10);
  return {
    total: exchanges.length,
    perDay: [...perDay.entries()].map(([day, value]) => ({ day, ...value })),
    topics: [...topics.entries()].map(([topic, count]) => ({ topic, count })).sort((a, b) => b.count - a.count),
    fallbackRate: exchanges.length === 0 ? 0 : fallback / exchanges.length,
    feedback: {
      up,
      down,
      upRate: feedback.length === 0 ? 0 : up / feedback.length,
      downRate: feedback.length === 0 ? 0 : down / feedback.length,
    },
    overdueFacts: facts
      .filter((fact) => fact.reviewBy !== undefined && fact.reviewBy < today)
      .map((fact) => ({ id: fact.id, topic: fact.topic, reviewBy: fact.reviewBy! }))
      .sort((a, b) => a.reviewBy.localeCompare(b.reviewBy)),
  };
}
