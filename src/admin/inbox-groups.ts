import type { InboxItem } from './inbox.ts';
import { jaccard } from './text-similarity.ts';

/**
 * Greedy grouping of inbox items, kept up to date one item at a time. Pure, in memory.
 *
 * The rule is the inbox's: in time order, an item joins the first-created group whose leader
 * (first item) is at least `minSimilarity` alike by bigram Jaccard, else it leads a new group.
 * Two things make it cheap:
 *
 * - An inverted index (leader bigram → groups) finds the candidates. Jaccard ≥ m needs at least
 *   ⌈m·g⌉ of the item's g grams shared (J ≤ shared/g), so any g − ⌈m·g⌉ + 1 of its grams hold one
 *   shared gram: only the postings of that many of its rarest grams are read ("prefix filter").
 * - Changes stay exact without regrouping everything. A non-leader never affects anyone else,
 *   and neither does a whole group leaving. Only a leader appearing or vanishing in the middle of
 *   the timeline can change later choices, and then only of groups created after it: those are
 *   cut off and their items replayed in order ("replay from"). New messages arrive at the end, so
 *   they cost one candidate lookup each.
 */

export interface Member {
  item: InboxItem;
  grams: ReadonlySet<string>;
  /** Arrival order: breaks ties between equal timestamps the way the store lists them. */
  seq: number;
}

export interface Group {
  leader: Member;
  /** In time order; `members[0]` is the leader. */
  members: Member[];
  /** Scratch for candidate lookups: the query that last counted this group, and its hits. */
  stamp: number;
  hits: number;
}

export interface GroupIndex {
  /** Items held. */
  readonly size: number;
  /** Adds items of any age; the result is what grouping all items from scratch gives. */
  add(members: readonly Member[]): void;
  /** Removes items by exchange id and returns them. */
  remove(ids: Iterable<string>): Member[];
  /** For display: biggest first, then the most recent message, then the oldest group. Cached. */
  sorted(): readonly Group[];
  all(): IterableIterator<Member>;
}

export function compareMembers(a: Member, b: Member): number {
  return a.item.at < b.item.at ? -1 : a.item.at > b.item.at ? 1 : a.seq - b.seq;
}

const latest = (group: Group) => group.members[group.members.length - 1]!.item.at;

export function createGroupIndex(minSimilarity: number): GroupIndex {
  /** Groups in creation order, which is their leaders' time order. */
  const ordered: Group[] = [];
  // Arrays, not Sets: most grams belong to one leader, and 10,000 leaders make ~150,000 lists.
  const postings = new Map<string, Group[]>();
  /** Groups led by a text with no grams (only punctuation): alike only to each other. */
  const gramless = new Set<Group>();
  const home = new Map<string, Group>();
  let sortedCache: Group[] | undefined;
  let queries = 0;

  const index = (group: Group) => {
    if (group.leader.grams.size === 0) gramless.add(group);
    for (const gram of group.leader.grams) {
      const list = postings.get(gram);
      if (list) list.push(group);
      else postings.set(gram, [group]);
    }
  };
  const unindex = (group: Group) => {
    gramless.delete(group);
    for (const gram of group.leader.grams) {
      const list = postings.get(gram);
      if (!list) continue;
      if (list.length === 1) postings.delete(gram);
      else list.splice(list.indexOf(group), 1);
    }
  };
  /** Position in `ordered` of the first group whose leader is not before `member`. */
  const cutPoint = (member: Member) => {
    let low = 0;
    let high = ordered.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (compareMembers(ordered[middle]!.leader, member) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  };

  /** The first-created group led before `member` that `member` is alike enough to. */
  const firstMatch = (member: Member): Group | undefined => {
    let best: Group | undefined;
    const size = member.grams.size;
    const earlier = (group: Group) =>
      compareMembers(group.leader, member) < 0 && (!best || compareMembers(group.leader, best.leader) < 0);
    if (minSimilarity <= 0 || size === 0) {
      // Degenerate cases the index cannot narrow: every group, or only gramless leaders, can match.
      for (const group of minSimilarity <= 0 ? ordered : gramless) {
        if (earlier(group) && jaccard(group.leader.grams, member.grams) >= minSimilarity) best = group;
      }
      return best;
    }
    const needed = Math.ceil(minSimilarity * size - 1e-9);
    if (needed > size) return undefined;
    const lists: Group[][] = [];
    for (const gram of member.grams) {
      const list = postings.get(gram);
      if (list) lists.push(list);
    }
    lists.sort((a, b) => a.length - b.length);
    // Grams no leader has are probed for free: they count towards the size - needed + 1.
    const probed = Math.max(0, Math.min(lists.length, size - needed + 1 - (size - lists.length)));
    // Count, per candidate, the probed grams it shares (a stamp per query instead of a Set).
    const stamp = ++queries;
    const candidates: Group[] = [];
    for (let at = 0; at < probed; at += 1) {
      for (const group of lists[at]!) {
        if (group.stamp !== stamp) {
          group.stamp = stamp;
          group.hits = 0;
          candidates.push(group);
        }
        group.hits += 1;
      }
    }
    const unprobed = lists.length - probed;
    for (const group of candidates) {
      if (!earlier(group)) continue;
      // Upper bound first: even sharing every unprobed gram, could it reach minSimilarity?
      const leaderSize = group.leader.grams.size;
      const most = Math.min(group.hits + unprobed, leaderSize);
      if (most / (leaderSize + size - most) < minSimilarity - 1e-9) continue;
      if (jaccard(group.leader.grams, member.grams) >= minSimilarity) best = group;
    }
    return best;
  };

  const join = (group: Group, member: Member) => {
    const { members } = group;
    let at = members.length;
    while (at > 0 && compareMembers(members[at - 1]!, member) > 0) at -= 1;
    members.splice(at, 0, member);
    home.set(member.item.exchangeId, group);
  };
  /** Only for a member after every leader: a new group goes last in creation order. */
  const lead = (member: Member) => {
    const group: Group = { leader: member, members: [member], stamp: 0, hits: 0 };
    ordered.push(group);
    index(group);
    home.set(member.item.exchangeId, group);
  };
  /**
   * A new leader in the middle of the timeline. Only items of groups created after it could move
   * to it, and only if alike to it; when none is, it slots in and nothing else changes. That scan
   * is one Jaccard per later item, far cheaper than regrouping them.
   */
  const leadInMiddle = (member: Member): boolean => {
    const at = cutPoint(member);
    for (let index = at; index < ordered.length; index += 1) {
      for (const later of ordered[index]!.members) {
        if (jaccard(member.grams, later.grams) >= minSimilarity) return false;
      }
    }
    const group: Group = { leader: member, members: [member], stamp: 0, hits: 0 };
    ordered.splice(at, 0, group);
    index(group);
    home.set(member.item.exchangeId, group);
    return true;
  };
  /** Regroups, in time order, the items of every group led from `from` on, plus `extra`. */
  const replayFrom = (from: Member, extra: readonly Member[]) => {
    const cut = ordered.splice(cutPoint(from));
    // One push per member: push(...members) of a 100,000-message group would overflow the stack.
    const replay = [...extra];
    for (const group of cut) {
      unindex(group);
      for (const member of group.members) replay.push(member);
    }
    replay.sort(compareMembers);
    for (const member of replay) {
      const group = firstMatch(member);
      if (group) join(group, member);
      else lead(member);
    }
  };

  return {
    get size() {
      return home.size;
    },
    add(members) {
      if (members.length === 0) return;
      sortedCache = undefined;
      const pending = [...members].sort(compareMembers);
      for (let at = 0; at < pending.length; at += 1) {
        const member = pending[at]!;
        const group = firstMatch(member);
        const last = ordered[ordered.length - 1];
        if (group) join(group, member);
        else if (!last || compareMembers(last.leader, member) < 0) lead(member);
        else if (!leadInMiddle(member)) {
          // Later groups lose items to the new leader: regroup them, with the rest of this batch.
          replayFrom(member, pending.slice(at));
          return;
        }
      }
    },
    remove(ids) {
      const gone = new Map<Group, Set<string>>();
      for (const id of ids) {
        const group = home.get(id);
        if (!group) continue;
        home.delete(id);
        const set = gone.get(group) ?? new Set<string>();
        set.add(id);
        gone.set(group, set);
      }
      const removed: Member[] = [];
      let replayAt: Member | undefined;
      for (const [group, set] of gone) {
        const kept: Member[] = [];
        for (const member of group.members) (set.has(member.item.exchangeId) ? removed : kept).push(member);
        group.members = kept;
        if (group.members.length === 0) {
          ordered.splice(cutPoint(group.leader), 1);
          unindex(group);
        } else if (set.has(group.leader.item.exchangeId) && (!replayAt || compareMembers(group.leader, replayAt) < 0)) {
          replayAt = group.leader; // the rest of this group lost its leader: regroup from there
        }
      }
      if (replayAt) replayFrom(replayAt, []);
      if (removed.length > 0) sortedCache = undefined;
      return removed;
    },
    sorted() {
      // Array.prototype.sort is stable: equal groups stay in creation order.
      sortedCache ??= [...ordered].sort((a, b) => b.members.length - a.members.length || (latest(a) < latest(b) ? 1 : latest(a) > latest(b) ? -1 : 0));
      return sortedCache;
    },
    all: function* () {
      for (const group of ordered) yield* group.members;
    },
  };
}
