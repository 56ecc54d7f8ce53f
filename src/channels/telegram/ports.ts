import type { Exchange, RuntimeStore } from '../../admin/ports.ts';
import type { Conversation } from '../../chat/conversation.ts';
import type { HandoffDesk } from '../../chat/handoffs.ts';
import type { Config } from '../../config.ts';
import type { SwapResult } from '../../engine-types.ts';
import type { Engine } from '../../engine-types.ts';
import type { KeyedQueue } from '../../lib/keyed-queue.ts';
import type { Logger } from '../../lib/logger.ts';
import type { InlineButton, OutgoingMessage } from './render.ts';

/** What the channel needs from the core (bootstrap's CoreServices satisfies it). */
export interface TelegramCore {
  engine: Engine;
  reload(): Promise<SwapResult>;
}

/** The few Bot API calls the features make; bot.ts implements it over telegraf. */
export interface ChatApi {
  send(chatId: number, messages: OutgoingMessage[], options?: { replyTo?: number }): Promise<number[]>;
  answerCallback(queryId: string, text?: string): Promise<void>;
  setKeyboard(chatId: number, messageId: number, keyboard: InlineButton[][] | undefined): Promise<void>;
}

/**
 * Drops a Telegram update that was already answered (Telegram re-sends one when a webhook call
 * failed or polling restarted before confirming it). In memory for one process (guards.ts);
 * shared in PostgreSQL when several processes answer the same bot.
 */
export interface UpdateDeduper {
  /** A claim on the update, or undefined when it was (or is being) handled already. */
  claim(updateId: number): Promise<UpdateClaim | undefined>;
}

export interface UpdateClaim {
  /** The update is handled (answered, or apologised for): copies are dropped from now on. */
  done(): Promise<void>;
}

export interface FeatureDeps {
  config: Config;
  core: TelegramCore;
  store: RuntimeStore;
  logger: Logger;
  now: () => Date;
  /** The chat turn shared with the other channels (built here when not given). */
  conversation?: Conversation;
  /** The handoff desk shared with the web console (built here when not given). */
  handoffs?: HandoffDesk;
  /** Shared with the console's publish, so /reload never runs in the middle of one. */
  knowledgeQueue: KeyedQueue;
  /** Default: in memory, for one process. */
  updates?: UpdateDeduper;
}

export type { Exchange };
