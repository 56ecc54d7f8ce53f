import { maskPersonalNumbers } from '../dialogue/mask.ts';
import { topicOf } from '../knowledge/topics.ts';
import type { Drafts } from './drafts.ts';
import { NotFoundError, StateError } from './errors.ts';
import type { Exchange, RuntimeStore } from './ports.ts';

/**
 * What an admin does with an inbox group, and what they need to see first. The picker must not
 * pre-fill a guess the bot itself was unsure of (that is how "我想买房贷款" became a suicide
 * example in two clicks), "not ours" is a choice of its own, and each message comes with the
 * bot's reply and the turns around it.
 */

export type Guess = { intent: string; score: number } | undefined;

/**
 * The intent the picker may start on: the bot's guess only when it is at or above the confidence
 * threshold, and never an emergency intent — teaching the bot that something is an emergency
 * must be a deliberate choice, since its reply replaces every other answer.
 */
export function suggestIntent(guess: Guess, threshold: number): string | undefined {
  if (!guess || guess.score < threshold) return undefined;
  if (topicOf(guess.intent) === 'emergency' || guess.intent === 'none') return undefined;
  return guess.intent;
}

export interface ContextTurn {
  exchangeId: string;
  at: string;
  text: string;
  reply: string;
  intent: string;
  /** The inbox message itself. */
  current: boolean;
}

export interface ConversationContext {
  exchangeId: string;
  turns: ContextTurn[];
  /** More turns of the same chat lie outside what is shown. */
  earlier: boolean;
  later: boolean;
}

/** Turns shown on each side of the message. */
const NEIGHBOURS = 3;
/** A chat's context lives 30 minutes (CONTEXT_TTL_MINUTES); two hours either side covers a visit. */
const WINDOW_MS = 2 * 60 * 60_000;

export function createInboxReview(deps: {
  store: Pick<RuntimeStore, 'setInboxStatus' | 'findExchange' | 'exchanges'>;
  drafts: Pick<Drafts, 'addExample' | 'kb'>;
}) {
  const { store, drafts } = deps;

  /** Adds `text` to `intent` in the draft and marks the group's messages done. */
  async function addExample(exchangeIds: string[], intent: string, text: string, by: string) {
    const result = await drafts.addExample(intent, text, by);
    await store.setInboxStatus(exchangeIds, 'done');
    return result;
  }

  return {
    addExample,

    /**
     * 不属于本服务: the text becomes an example of the out-of-scope intent, so after publishing
     * the bot answers such messages with its scope reply (what it serves, and 12348 for any legal
     * question) instead of guessing a legal answer or asking "您想问的是…" about unrelated
     * matters. Marking the group only as ignored would leave the bot guessing the same way.
     */
    async markOutOfScope(exchangeIds: string[], text: string, by: string) {
      const intent = drafts.kb().intents.find((candidate) => topicOf(candidate.name) === 'out_of_scope');
      if (!intent) throw new StateError('知识库里没有“不属于本服务”的意图（out_of_scope），请先在“意图与事实”中建立');
      return addExample(exchangeIds, intent.name, text, by);
    },

    /** The bot's reply to each message (masked), for the messages shown on a page. */
    async replies(exchangeIds: readonly string[]): Promise<Record<string, string>> {
      const found = await Promise.all(exchangeIds.map((id) => store.findExchange(id)));
      return Object.fromEntries(found.filter((exchange): exchange is Exchange => exchange !== undefined).map((exchange) => [exchange.id, maskPersonalNumbers(exchange.reply)]));
    },

    /** The message with its reply and the chat's turns just before and after it, masked. */
    async context(exchangeId: string): Promise<ConversationContext> {
      const exchange = await store.findExchange(exchangeId);
      if (!exchange) throw new NotFoundError('exchange', exchangeId);
      const at = Date.parse(exchange.at);
      const nearby = (await store.exchanges({ since: new Date(at - WINDOW_MS) }))
        .filter((other) => other.chatKey === exchange.chatKey && Date.parse(other.at) <= at + WINDOW_MS)
        .sort((a, b) => a.at.localeCompare(b.at));
      let index = nearby.findIndex((other) => other.id === exchange.id);
      if (index < 0) {
        nearby.push(exchange); // not in the listing (e.g. a store that lists lazily): show it alone
        index = nearby.length - 1;
      }
      const first = Math.max(0, index - NEIGHBOURS);
      const last = Math.min(nearby.length, index + NEIGHBOURS + 1);
      return {
        exchangeId,
        turns: nearby.slice(first, last).map((turn) => ({
          exchangeId: turn.id,
          at: turn.at,
          // Stored text is masked when written; masking again costs little and covers older records.
          text: maskPersonalNumbers(turn.text),
          reply: maskPersonalNumbers(turn.reply),
          intent: turn.intent,
          current: turn.id === exchange.id,
        })),
        earlier: first > 0,
        later: last < nearby.length,
      };
    },
  };
}

export type InboxReview = ReturnType<typeof createInboxReview>;
