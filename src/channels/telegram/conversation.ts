import { describeInput } from '../../dialogue/describe-input.ts';
import type { Exchange } from '../../admin/ports.ts';
import { maskPersonalNumbers } from '../../dialogue/mask.ts';
import type { DialogueState, EngineInput, EngineResult } from '../../dialogue/types.ts';
import type { FeatureDeps } from './ports.ts';

const STORED_REPLY_CHARS = 1000;

export interface Conversed extends EngineResult {
  exchange: Exchange;
}

/**
 * One turn of a chat: load the state → engine → save the state → store the exchange (masked).
 * The caller runs it inside the chat's queue, so turns of one chat never interleave.
 */
export function createConversation(deps: FeatureDeps) {
  const lastExchange = new Map<string, string>();

  return {
    async converse(chatKey: string, input: EngineInput): Promise<Conversed> {
      const now = deps.now();
      const state = fresh(await deps.store.getState(chatKey), now, deps.config.CONTEXT_TTL_MINUTES);
      const result = deps.core.engine.respond(input, state, now);
      await deps.store.saveState(chatKey, result.state);
      const exchange = await deps.store.recordExchange({
        at: now.toISOString(),
        channel: 'telegram',
        chatKey,
        text: maskPersonalNumbers(describeInput(input)),
        intent: result.reply.intent,
        topic: result.reply.topic,
        confidence: result.reply.confidence,
        kind: result.reply.kind,
        decidedBy: result.trace.decidedBy,
        reply: maskPersonalNumbers(result.reply.text).slice(0, STORED_REPLY_CHARS),
      });
      lastExchange.set(chatKey, exchange.id);
      return { ...result, exchange };
    },

    /** The chat's latest exchange (this run, else the store's last day), for /feedback. */
    async latestExchange(chatKey: string): Promise<Exchange | undefined> {
      const known = lastExchange.get(chatKey);
      if (known) return deps.store.findExchange(known);
      const since = new Date(deps.now().getTime() - 86_400_000);
      const mine = (await deps.store.exchanges({ since })).filter((exchange) => exchange.chatKey === chatKey);
      return mine[mine.length - 1];
    },

    forgetLocal(chatKey: string): void {
      lastExchange.delete(chatKey);
    },
  };
}

export type Conversation = ReturnType<typeof createConversation>;

/** Context expires after a silence: an old state is dropped rather than resumed. */
export function fresh(state: DialogueState | undefined, now: Date, ttlMinutes: number): DialogueState | undefined {
  if (!state) return undefined;
  const updated = Date.parse(state.updatedAt);
  if (Number.isNaN(updated) || now.getTime() - updated > ttlMinutes * 60_000) return undefined;
  return state;
}

