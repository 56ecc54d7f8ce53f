import type { Exchange, Feedback, InboxStatus } from './ports.ts';

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
    const reasons: InboxReason[] = [];
    if (exchange.intent === 'none') reasons.push('none');
    else if (exchange.confidence < threshold && exchange.decidedBy === 'classifier') reasons.push('low');
    if (disliked.has(exchange.id)) reasons.push('down');
    if (reasons.length === 0 || !exchange.text.trim()) continue;
    items.push({
      exchangeId: exchange.id,
      at: exchange.at,
      text: exchange.text,
      intent: exchange.intent,
      confidence: exchange.confidence,
      reasons,
      status: statuses[exchange.id] ?? 'new',
    });
  }
  return items.sort((a, b) => a.at.localeCompare(b.at));
}

/** Character bigrams of the text without spaces and punctuation (a one-character text is its own gram). */
export function bigrams(text: string): Set<string> {
  const chars = [...text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]/gu, '')];
  if (chars.length === 1) return new Set(chars);
  const grams = new Set<string>();
  for (let index = 0; index + 1 < chars.length; index += 1) grams.add(`${chars[index]}${chars[index + 1]}`);
  return grams;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const gram of a) if (b.has(gram)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/**
 * Greedy single-pass clustering: each item joins the first group whose leader is at least
 * `minSimilarity` alike (bigram Jaccard), else starts a group. Biggest groups first, ties by the
 * most recent message. Items of different statuses are grouped separately so a done group does
 * not swallow new messages.
 */
export function groupSimilar(items: readonly InboxItem[], minSimilarity = 0.4): InboxGroup[] {
  const groups: { leader: Set<string>; items: InboxItem[] }[] = [];
  for (const item of items) {
    const grams = bigrams(item.text);
    const home = groups.find(
      (group) => group.items[0]?.status === item.status && jaccard(group.leader, grams) >= minSimilarity,
    );
    if (home) home.items.push(item);
    else groups.push({ leader: grams, items: [item] });
  }
  return groups
    .map(({ items: members }) => summarise(members))
    .sort((a, b) => b.size - a.size || latest(b).localeCompare(latest(a)));
}

function latest(group: InboxGroup): string {
  return group.items[group.items.length - 1]?.at ?? '';
}

function summarise(items: InboxItem[]): InboxGroup {
  const first = items[0]!;
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.intent, (counts.get(item.intent) ?? 0) + 1);
  const answered = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'none';
  const reasons = [...new Set(items.flatMap((item) => item.reasons))];
  return { id: first.exchangeId, text: first.text, items, size: items.length, status: first.status, reasons, answered };
}
