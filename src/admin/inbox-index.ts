import { inboxItem, summarise, type InboxGroup, type InboxItem } from './inbox.ts';
import { createGroupIndex, type GroupIndex, type Member } from './inbox-groups.ts';
import type { Exchange, InboxStatus } from './ports.ts';
import { bigrams } from './text-similarity.ts';

/**
 * The review inbox kept between visits. Pure and in memory: the caller (inbox-feed.ts) hands it
 * what changed in the store — new exchanges, the current 👎 set and statuses — and it moves only
 * the items concerned. Its groups always equal grouping the same items from scratch.
 */

export const INBOX_STATUSES: readonly InboxStatus[] = ['new', 'done', 'ignored'];

export interface InboxPageQuery {
  status: InboxStatus;
  /** 1-based; clamped to the pages there are. */
  page: number;
  size: number;
}

export interface InboxPage {
  status: InboxStatus;
  groups: InboxGroup[];
  page: number;
  size: number;
  pages: number;
  /** Groups with this status, over all pages. */
  totalGroups: number;
  /** Messages per status. */
  counts: Record<InboxStatus, number>;
}

export interface InboxIndex {
  /** Applies the current 👎 set; returns newly disliked ids it holds no item for (look them up and `add` them). */
  setDisliked(disliked: ReadonlySet<string>): string[];
  /** Applies the current statuses (missing id = `new`). */
  setStatuses(statuses: Readonly<Record<string, InboxStatus>>): void;
  /** Adds the exchanges that belong in the inbox; ones it already holds are skipped. */
  add(exchanges: readonly Exchange[]): void;
  remove(ids: Iterable<string>): void;
  /** Drops messages older than `cutoff` (ISO time). */
  expire(cutoff: string): void;
  ids(): string[];
  page(query: InboxPageQuery): InboxPage;
}

export function createInboxIndex(options: { threshold: number; minSimilarity?: number }): InboxIndex {
  const partitions = Object.fromEntries(
    INBOX_STATUSES.map((status) => [status, createGroupIndex(options.minSimilarity ?? 0.4)]),
  ) as Record<InboxStatus, GroupIndex>;
  const members = new Map<string, Member>();
  let disliked: ReadonlySet<string> = new Set();
  let statuses: Readonly<Record<string, InboxStatus>> = {};
  let seq = 0;

  const remove = (ids: Iterable<string>) => {
    const byStatus = new Map<InboxStatus, string[]>();
    for (const id of ids) {
      const member = members.get(id);
      if (!member) continue;
      members.delete(id);
      const list = byStatus.get(member.item.status);
      if (list) list.push(id);
      else byStatus.set(member.item.status, [id]);
    }
    for (const [status, list] of byStatus) partitions[status].remove(list);
  };
  /** Same grams and time: the item changes in place, its group does not. */
  const retag = (id: string, change: (item: InboxItem) => InboxItem) => {
    const member = members.get(id);
    if (member) member.item = change(member.item);
  };

  return {
    setDisliked(next) {
      const noLongerDisliked: string[] = [];
      for (const id of disliked) {
        if (next.has(id) || !members.has(id)) continue;
        const others = members.get(id)!.item.reasons.filter((reason) => reason !== 'down');
        if (others.length === 0) noLongerDisliked.push(id); // 👎 was its only reason to be here
        else retag(id, (old) => ({ ...old, reasons: old.reasons.filter((reason) => reason !== 'down') }));
      }
      remove(noLongerDisliked);
      const unknown: string[] = [];
      for (const id of next) {
        if (disliked.has(id)) continue;
        if (members.has(id)) retag(id, (old) => ({ ...old, reasons: [...old.reasons, 'down'] }));
        else unknown.push(id);
      }
      disliked = next;
      return unknown;
    },
    setStatuses(next) {
      statuses = next;
      const moves = new Map<string, { from: InboxStatus; to: InboxStatus; ids: string[] }>();
      const move = (id: string, from: InboxStatus, to: InboxStatus) => {
        const key = `${from}>${to}`;
        const entry = moves.get(key) ?? { from, to, ids: [] };
        entry.ids.push(id);
        moves.set(key, entry);
      };
      // Every held item not `new` is checked (its status may be gone), then every stored status.
      for (const status of INBOX_STATUSES) {
        if (status === 'new') continue;
        for (const member of partitions[status].all()) {
          const to = next[member.item.exchangeId] ?? 'new';
          if (to !== status) move(member.item.exchangeId, status, to);
        }
      }
      for (const [id, to] of Object.entries(next)) {
        const member = members.get(id);
        if (member?.item.status === 'new' && to !== 'new' && INBOX_STATUSES.includes(to)) move(id, 'new', to);
      }
      for (const { from, to, ids } of moves.values()) {
        const moved = partitions[from].remove(ids);
        for (const member of moved) member.item = { ...member.item, status: to };
        partitions[to].add(moved);
      }
    },
    add(exchanges) {
      const fresh = new Map<InboxStatus, Member[]>();
      for (const exchange of exchanges) {
        if (members.has(exchange.id)) continue;
        const status = INBOX_STATUSES.includes(statuses[exchange.id]!) ? statuses[exchange.id]! : 'new';
        const item = inboxItem(exchange, disliked.has(exchange.id), status, options.threshold);
        if (!item) continue;
        const member: Member = { item, grams: bigrams(item.text), seq: seq++ };
        members.set(item.exchangeId, member);
        const list = fresh.get(status);
        if (list) list.push(member);
        else fresh.set(status, [member]);
      }
      for (const [status, list] of fresh) partitions[status].add(list);
    },
    remove,
    expire(cutoff) {
      remove([...members.values()].filter((member) => member.item.at < cutoff).map((member) => member.item.exchangeId));
    },
    ids: () => [...members.keys()],
    page(query) {
      const groups = partitions[query.status].sorted();
      const size = Math.max(1, Math.floor(query.size));
      const pages = Math.max(1, Math.ceil(groups.length / size));
      const page = Math.min(Math.max(1, Math.floor(query.page) || 1), pages);
      const counts = Object.fromEntries(INBOX_STATUSES.map((status) => [status, partitions[status].size])) as Record<InboxStatus, number>;
      return {
        status: query.status,
        groups: groups.slice((page - 1) * size, page * size).map((group) => summarise(group.members.map((member) => member.item))),
        page,
        size,
        pages,
        totalGroups: groups.length,
        counts,
      };
    },
  };
}
