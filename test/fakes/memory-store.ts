import type { Exchange, Feedback, InboxStatus, RuntimeStore } from '../../src/admin/ports.ts';
import type { DialogueState } from '../../src/dialogue/types.ts';

/** RuntimeStore in memory, for tests of channels and admin use cases. */
export function createMemoryStore(): RuntimeStore & { all: { exchanges: Exchange[]; feedback: Feedback[] } } {
  const states = new Map<string, DialogueState>();
  const exchanges: Exchange[] = [];
  const feedback: Feedback[] = [];
  const inbox: Record<string, InboxStatus> = {};
  const handoffs = new Map<number, string>();
  let next = 1;
  let removed = 0;
  return {
    all: { exchanges, feedback },
    async getState(chatKey) {
      return states.get(chatKey);
    },
    async saveState(chatKey, state) {
      states.set(chatKey, state);
    },
    async forget(chatKey) {
      states.delete(chatKey);
      removed += exchanges.filter((exchange) => exchange.chatKey === chatKey).length;
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
      return exchanges.filter((exchange) => !since || exchange.at >= since);
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
    async purgeOlderThan() {
      return 0;
    },
    async flush() {},
  };
}
