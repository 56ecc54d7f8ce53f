import type { Exchange, Feedback, HandoffCase, InboxStatus, RuntimeStore } from '../../src/admin/ports.ts';
import type { DialogueState } from '../../src/dialogue/types.ts';

/** RuntimeStore in memory, for tests of channels and admin use cases. */
export function createMemoryStore(): RuntimeStore & { all: { exchanges: Exchange[]; feedback: Feedback[] } } {
  const states = new Map<string, DialogueState>();
  const exchanges: Exchange[] = [];
  const feedback: Feedback[] = [];
  const inbox: Record<string, InboxStatus> = {};
  const handoffs = new Map<number, string>();
  // Every case, open and closed, in the order opened; copies go out so callers cannot edit them.
  const cases: HandoffCase[] = [];
  const copy = (item: HandoffCase | undefined) => (item ? structuredClone(item) : undefined);
  const openCase = (id: string) => cases.find((item) => item.id === id && item.closedAt === undefined);
  const latest = new Map<string, string>();
  let next = 1;
  let removed = 0;
  return {
    all: { exchanges, feedback },
    async getState(chatKey) {
      return states.get(chatKey);
    },
    async saveState(chatKey, state, lastExchangeId) {
      states.set(chatKey, state);
      if (lastExchangeId) latest.set(chatKey, lastExchangeId);
    },
    async latestExchange(chatKey) {
      const id = latest.get(chatKey);
      return exchanges.find((exchange) => exchange.id === id);
    },
    async forget(chatKey) {
      states.delete(chatKey);
      latest.delete(chatKey);
      removed += exchanges.filter((exchange) => exchange.chatKey === chatKey).length;
      for (const [id, owner] of handoffs) if (owner === chatKey) handoffs.delete(id);
      for (let index = cases.length - 1; index >= 0; index -= 1) if (cases[index]!.chatKey === chatKey) cases.splice(index, 1);
      for (const exchange of exchanges) if (exchange.chatKey === chatKey) delete inbox[exchange.id];
      for (const list of [exchanges, feedback] as { chatKey: string }[][]) {
        for (let index = list.length - 1; index >= 0; index -= 1) if (list[index]!.chatKey === chatKey) list.splice(index, 1);
      }
    },
    async recordExchange(exchange) {
      const stored = { ...exchange, id: `x${String(next++).padStart(6, '0')}` };
      exchanges.push(stored);
      return stored;
    },
    async recordFeedback(entry) {
      const at = feedback.findIndex((old) => old.exchangeId === entry.exchangeId);
      if (at >= 0) feedback.splice(at, 1);
      feedback.push(entry);
    },
    async exchanges(options) {
      const since = options?.since?.toISOString();
      const until = options?.until?.toISOString();
      return exchanges.filter((exchange) => (!since || exchange.at >= since) && (!until || exchange.at < until));
    },
    async exchangesRemoved() {
      return removed;
    },
    async findExchange(id) {
      return exchanges.find((exchange) => exchange.id === id);
    },
    async feedback() {
      return [...feedback];
    },
    async inboxStatuses() {
      return { ...inbox };
    },
    async setInboxStatus(ids, status) {
      for (const id of ids) inbox[id] = status;
    },
    async saveHandoff(staffMessageId, chatKey) {
      handoffs.set(staffMessageId, chatKey);
    },
    async findHandoff(staffMessageId) {
      return handoffs.get(staffMessageId);
    },
    async openHandoffCase(handoff) {
      const stored: HandoffCase = { ...structuredClone(handoff), id: `h${String(next++).padStart(6, '0')}` };
      cases.push(stored);
      return copy(stored)!;
    },
    async addHandoffMessages(id, messages) {
      const found = openCase(id);
      found?.messages.push(...structuredClone(messages));
      return copy(found);
    },
    async closeHandoffCase(id, closed) {
      const found = openCase(id);
      if (found) Object.assign(found, { closedAt: closed.at, closedBy: closed.by });
      return copy(found);
    },
    async openHandoffCases() {
      return cases.filter((item) => item.closedAt === undefined).map((item) => copy(item)!);
    },
    async findHandoffCase(id) {
      return copy(cases.find((item) => item.id === id));
    },
    async purgeOlderThan(days, at = new Date()) {
      // Whole UTC days, like the embedded store.
      const cutoffDay = new Date(at.getTime() - days * 86_400_000).toISOString().slice(0, 10);
      for (let index = cases.length - 1; index >= 0; index -= 1) if (cases[index]!.openedAt.slice(0, 10) < cutoffDay) cases.splice(index, 1);
      let count = 0;
      for (const list of [exchanges, feedback] as { at: string }[][]) {
        for (let index = list.length - 1; index >= 0; index -= 1) {
          if (list[index]!.at.slice(0, 10) < cutoffDay) {
            if (list === (exchanges as { at: string }[])) removed += 1;
            list.splice(index, 1);
            count += 1;
          }
        }
      }
      return count;
    },
    async expireSessions() {
      return 0;
    },
    async flush() {},
    async close() {},
  };
}
