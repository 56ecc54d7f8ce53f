import type { DecidedBy, DialogueState, ReplyKind } from '../dialogue/types.ts';

/** One message and the bot's answer, stored for review and statistics (numbers masked). */
export interface Exchange {
  id: string;
  at: string;
  channel: 'telegram' | 'web' | 'cli';
  /** Who: `telegram:<chat id>` or `web:<session id>`. */
  chatKey: string;
  /** The citizen's text with ID-card, phone and bank-card numbers masked. */
  text: string;
  intent: string;
  topic: string;
  confidence: number;
  kind: ReplyKind;
  decidedBy: DecidedBy;
  /** The bot's reply text (masked, possibly shortened). */
  reply: string;
}

export interface Feedback {
  exchangeId: string;
  at: string;
  chatKey: string;
  value: 'up' | 'down';
  intent: string;
}

export type InboxStatus = 'new' | 'done' | 'ignored';

/** One line of a handoff case's thread, personal numbers masked. */
export interface HandoffMessage {
  at: string;
  from: 'citizen' | 'bot' | 'staff';
  text: string;
  /** The console user (or `Telegram 工作群`) who wrote a staff message. */
  by?: string;
}

/**
 * A citizen's request for a person (转人工) and what was said since: open until a staff member
 * ends it. Messages are only ever added, in order, so a count of them is a reading position.
 */
export interface HandoffCase {
  id: string;
  chatKey: string;
  channel: 'web' | 'telegram';
  openedAt: string;
  messages: HandoffMessage[];
  closedAt?: string;
  closedBy?: string;
}

/**
 * Runtime data written by the bot (never committed). Every write resolves only once it is
 * stored, so whatever a channel acknowledges to a citizen survives a killed process; the cost of
 * one more exchange or session must not grow with the history (see adapters/runtime-store.ts).
 */
export interface RuntimeStore {
  getState(chatKey: string): Promise<DialogueState | undefined>;
  /** Saves the chat's state and, when given, remembers its latest exchange for /feedback. */
  saveState(chatKey: string, state: DialogueState, lastExchangeId?: string): Promise<void>;
  /** The chat's latest exchange while its session lives (the context TTL). */
  latestExchange(chatKey: string): Promise<Exchange | undefined>;
  /** Deletes everything kept about this chat: state, exchanges, feedback, handoffs and handoff cases. */
  forget(chatKey: string): Promise<void>;
  recordExchange(exchange: Omit<Exchange, 'id'>): Promise<Exchange>;
  recordFeedback(feedback: Feedback): Promise<void>;
  /**
   * Exchanges in time order, from `since` (inclusive) to `until` (exclusive) when given. A store
   * reads only the days the range covers, so a week's page costs a week, not the whole history.
   */
  exchanges(options?: { since?: Date; until?: Date }): Promise<Exchange[]>;
  /**
   * How many exchanges this store has deleted since it opened (forget, retention). A reader that
   * keeps exchanges between calls (the review inbox) rereads when this changes.
   */
  exchangesRemoved(): Promise<number>;
  findExchange(id: string): Promise<Exchange | undefined>;
  feedback(): Promise<Feedback[]>;
  inboxStatuses(): Promise<Record<string, InboxStatus>>;
  setInboxStatus(exchangeIds: string[], status: InboxStatus): Promise<void>;
  /** A forwarded handoff message in the staff group → the citizen's chat. */
  saveHandoff(staffMessageId: number, chatKey: string): Promise<void>;
  findHandoff(staffMessageId: number): Promise<string | undefined>;
  /** Stores a new, open handoff case; returns it with its id. */
  openHandoffCase(handoff: Omit<HandoffCase, 'id' | 'closedAt' | 'closedBy'>): Promise<HandoffCase>;
  /** Appends to an open case's messages; `undefined` when the case is not open (closed or unknown). */
  addHandoffMessages(id: string, messages: HandoffMessage[]): Promise<HandoffCase | undefined>;
  /** Ends an open case; `undefined` when it is not open (the first close wins). */
  closeHandoffCase(id: string, closed: { at: string; by: string }): Promise<HandoffCase | undefined>;
  /** Every open case, oldest first. */
  openHandoffCases(): Promise<HandoffCase[]>;
  /** One case, open or closed, while it is retained. */
  findHandoffCase(id: string): Promise<HandoffCase | undefined>;
  /** Drops exchanges, feedback, inbox statuses and handoffs older than the retention period. */
  purgeOlderThan(days: number, now?: Date): Promise<number>;
  /** Deletes sessions silent for longer than the context TTL; returns how many. */
  expireSessions(now?: Date): Promise<number>;
  /** Waits for writes in flight. */
  flush(): Promise<void>;
  /** Flushes and releases the data folder for another process; called on shutdown. */
  close(): Promise<void>;
}
