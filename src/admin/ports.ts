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

/**
 * Runtime data written by the bot (never committed). lowdb rewrites a whole file on every
 * write, so an implementation must keep the cost of one more exchange bounded as the store
 * grows (see adapters/runtime-store.ts).
 */
export interface RuntimeStore {
  getState(chatKey: string): Promise<DialogueState | undefined>;
  saveState(chatKey: string, state: DialogueState): Promise<void>;
  /** Deletes everything kept about this chat: state, exchanges, feedback, handoffs. */
  forget(chatKey: string): Promise<void>;
  recordExchange(exchange: Omit<Exchange, 'id'>): Promise<Exchange>;
  recordFeedback(feedback: Feedback): Promise<void>;
  exchanges(options?: { since?: Date }): Promise<Exchange[]>;
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
  /** Drops exchanges and feedback older than the retention period. */
  purgeOlderThan(days: number, now?: Date): Promise<number>;
  /** Writes everything buffered; called on shutdown. */
  flush(): Promise<void>;
}
