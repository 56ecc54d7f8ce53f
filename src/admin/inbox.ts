import { createGroupIndex, type GroupIndex, type Member } from './inbox-groups.ts';
import type { Exchange, Feedback, InboxStatus } from './ports.ts';
import { bigrams } from './text-similarity.ts';

export { bigrams, jaccard } from './text-similarity.ts';

/**
 * The review inbox: messages the bot did not understand (`none`), answered with low confidence,
 * or that got a 👎 — grouped by similar text so an admin fixes a pattern once. Pure.
 */

export type InboxReason = 'none' | 'low' | 'down';

export interface InboxItem {
  exchangeId: string;
  at: string;
  text: string;
  intent: string;
  confidence: number;
  reasons: InboxReason[];
  status: InboxStatus;
}

export interface InboxGroup {
  /** The exchange id of the group's first (oldest) message; stable while the group lives. */
  id: string;
  text: string;
  items: InboxItem[];
  size: number;
  status: InboxStatus;
  reasons: InboxReason[];
  /** The intent the bot answered most often in this group (`none` if it answered none). */
  answered: string;
}

export function inboxItems(
  exchanges: readonly Exchange[],
  feedback: readonly Feedback[],
  statuses: Readonly<Record<string, InboxStatus>>,
  threshold: number,
): InboxItem[] {
  const disliked = new Set(feedback.filter((entry) => entry.value === 'down').map((entry) => entry.exchangeId));
  const items: InboxItem[] = [];
  for (const exchange of exchanges) {
    const item = inboxItem(exchange, disliked.has(exchange.id), statuses[exchange.id] ?? 'new', threshold);
    if (item) items.push(item);
  }
  return items.sort((a, b) => a.at.localeCompare(b.at));
}

/** The inbox item for one exchange, or undefined when the bot did fine and nobody disliked it. */
export function inboxItem(exchange: Exchange, disliked: boolean, status: InboxStatus, threshold: number): InboxItem | undefined {
  const reasons: InboxReason[] = [];
  if (exchange.intent === 'none') reasons.push('none');
  else if (exchange.confidence < threshold && exchange.decidedBy === 'classifier') reasons.push('low');
  if (disliked) reasons.push('down');
  if (reasons.length === 0 || !exchange.text.trim()) return undefined;
  return {
    exchangeId: exchange.id,
    at: exchange.at,
    text: exchange.text,
    intent: exchange.intent,
    confidence: exchange.confidence,
    reasons,
    status,
  };
}

/**
 * Greedy single-pass clustering: each item, in time order, joins the first group whose leader is
 * at least `minSimilarity` alike (bigram Jaccard), else starts a group. Biggest groups first, ties
 * by the most recent message. Items of different statuses are grouped separately so a done group
 * does not swallow new messages. Uses the inverted index of inbox-groups.ts, so the cost grows
 * with the candidates sharing grams, not with the square of the items.
 */
export function groupSimilar(items: readonly InboxItem[], minSimilarity = 0.4): InboxGroup[] {
  const byStatus = new Map<InboxStatus, GroupIndex>();
  let seq = 0;
  const members = new Map<InboxStatus, Member[]>();
  for (const item of items) {
    const list = members.get(item.status) ?? [];
    list.push({ item, grams: bigrams(item.text), seq: seq++ });
    members.set(item.status, list);
  }
  for (const [status, list] of members) {
    const index = createGroupIndex(minSimilarity);
    index.add(list);
    byStatus.set(status, index);
  }
  return [...byStatus.values()]
    .flatMap((index) => index.sorted().map((group) => ({ group, summary: summarise(group.members.map((member) => member.item)) })))
    .sort((a, b) => b.summary.size - a.summary.size || latest(b.summary).localeCompare(latest(a.summary)) || a.group.leader.seq - b.group.leader.seq)
    .map(({ summary }) => summary);
}

function latest(group: InboxGroup): string {
  return group.items[group.items.length - 1]?.at ?? '';
}

/** A group as the console shows it: led by its first message, with the reasons of all. */
export function summarise(items: InboxItem[]): InboxGroup {
  const first = items[0]!;
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.intent, (counts.get(item.intent) ?? 0) + 1);
  const answered = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'none';
  const reasons = [...new Set(items.flatMap((item) => item.reasons))];
  return { id: first.exchangeId, text: first.text, items, size: items.length, status: first.status, reasons, answered };
}
