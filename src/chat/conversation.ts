import type { Exchange, Feedback, RuntimeStore } from '../admin/ports.ts';
import { describeInput } from '../dialogue/describe-input.ts';
import { maskPersonalNumbers } from '../dialogue/mask.ts';
import type { DialogueState, EngineInput, EngineResult } from '../dialogue/types.ts';
import type { Engine } from '../engine-types.ts';
import { createKeyedQueue } from '../lib/keyed-queue.ts';
import type { HandoffDesk, HandoffOutcome } from './handoffs.ts';

/**
 * One chat turn for every channel (Telegram, web, and whatever comes next): load the chat's
 * state → drop it if the context has expired → engine → store the exchange (masked) → save the
 * state with the exchange's id. The channels only translate their transport into this call, so
 * the queue, the truncation rule and the TTL check exist once.
 *
 * Turns of one chat never interleave: `turn` runs in the chat's queue, and, when several
 * processes share a store, under the chat's lock (`ChatLock`). A channel that must keep
 * its own sends in order with the turn (Telegram) runs its whole update in `inChat` and calls
 * `converse` inside it.
 *
 * Order of writes: the exchange is appended before the state is saved, and both finish before
 * the caller acknowledges anything, so a killed process never acknowledges a turn it did not
 * store.
 *
 * 转人工: with a handoff desk, a handoff reply is replaced by what the desk decided (a case
 * opened, or honestly who else can help) before anything is stored, so the exchange, the history
 * staff read and the citizen's screen all say the same; later turns of a chat with an open case
 * are added to the case.
 */

/** How much of the citizen's message and of the bot's reply is stored (the bot reads 600 characters). */
export const STORED_TEXT_CHARS = 2000;
export const STORED_REPLY_CHARS = 1000;

/**
 * Keeps one chat's turns from interleaving across processes (several bot processes on one
 * PostgreSQL store). Without it, two processes could both read the chat's state, answer, and the
 * later save would drop the earlier turn's context.
 */
export interface ChatLock {
  /** Runs `task` while no other process runs a task for this chat; later callers wait. */
  run<T>(chatKey: string, task: () => Promise<T>): Promise<T>;
}

export interface ConversationDeps {
  engine: () => Engine;
  store: RuntimeStore;
  now: () => Date;
  contextTtlMinutes: number;
  /** Opens handoff cases for web and Telegram turns (see handoffs.ts); without it 转人工 is a plain answer. */
  handoffs?: HandoffDesk;
  /** Absent with the embedded store: one process, so the in-process queue is enough. */
  chatLock?: ChatLock;
}

export interface Conversed extends EngineResult {
  exchange: Exchange;
  /** Set on a 转人工 turn when a desk is configured. */
  handoff?: HandoffOutcome;
}

export type Channel = Exchange['channel'];

export function createConversation(deps: ConversationDeps) {
  const queue = createKeyedQueue();
  // The in-process queue first, then the cross-process lock: a process waits for its own
  // earlier turns in memory and holds at most one lock (one connection) per chat at a time.
  const inChat = <T>(chatKey: string, task: () => Promise<T>): Promise<T> =>
    queue.run(chatKey, () => (deps.chatLock ? deps.chatLock.run(chatKey, task) : task()));

  async function converse(channel: Channel, chatKey: string, input: EngineInput): Promise<Conversed> {
    const now = deps.now();
    const state = fresh(await deps.store.getState(chatKey), now, deps.contextTtlMinutes);
    let result = deps.engine().respond(input, state, now);
    const text = maskPersonalNumbers(describeInput(input)).slice(0, STORED_TEXT_CHARS);
    const desk = channel === 'cli' ? undefined : deps.handoffs; // the staff CLI has no citizen to hand over
    let handoff: HandoffOutcome | undefined;
    if (desk && channel !== 'cli' && result.reply.kind === 'handoff') {
      // A case opened here and a turn that then fails to store leaves the case for staff to
      // see; the citizen's retry is told it is already waiting.
      handoff = await desk.request(channel, chatKey, state?.history ?? [], text);
      result = withReplyText(result, handoff.text);
    }
    const exchange = await deps.store.recordExchange({
      at: now.toISOString(),
      channel,
      chatKey,
      text,
      intent: result.reply.intent,
      topic: result.reply.topic,
      confidence: result.reply.confidence,
      kind: result.reply.kind,
      decidedBy: result.trace.decidedBy,
      reply: maskPersonalNumbers(result.reply.text).slice(0, STORED_REPLY_CHARS),
    });
    const handedOver = handoff?.status === 'opened' || handoff?.status === 'already_open';
    if (desk && !handedOver) await desk.noteTurn(chatKey, text, result.reply.text);
    await deps.store.saveState(chatKey, result.state, exchange.id);
    return { ...result, exchange, ...(handoff ? { handoff } : {}) };
  }

  return {
    /**
     * Runs `task` in the chat's queue (after its earlier turns, before its later ones), holding
     * the chat's lock across processes when there is one.
     */
    inChat,

    /** One turn; the caller must already be in the chat's queue. */
    converse,

    /** One turn in the chat's queue. */
    turn: (channel: Channel, chatKey: string, input: EngineInput) => inChat(chatKey, () => converse(channel, chatKey, input)),

    /** The chat's latest answer while its context lives, for /feedback. */
    latestExchange: (chatKey: string) => deps.store.latestExchange(chatKey),

    /**
     * Records a 👍/👎 on one of this chat's own answers; `undefined` when the exchange is not
     * this chat's (or no longer stored). Written before it resolves.
     */
    async rate(chatKey: string, exchangeId: string, value: Feedback['value']): Promise<Exchange | undefined> {
      const exchange = await deps.store.findExchange(exchangeId);
      if (!exchange || exchange.chatKey !== chatKey) return undefined;
      await deps.store.recordFeedback({ exchangeId: exchange.id, at: deps.now().toISOString(), chatKey, value, intent: exchange.intent });
      return exchange;
    },

    /** Deletes everything kept about the chat, after its turns in flight. */
    forget: (chatKey: string) => inChat(chatKey, () => deps.store.forget(chatKey)),
  };
}

export type Conversation = ReturnType<typeof createConversation>;

/** The reply's text replaced (sources belonged to the replaced text), in the history too. */
function withReplyText(result: EngineResult, text: string): EngineResult {
  const history = result.state.history.map((turn, index, all) => (index === all.length - 1 && turn.role === 'bot' ? { ...turn, text: text.slice(0, 300) } : turn));
  return { ...result, reply: { ...result.reply, text, sources: [] }, state: { ...result.state, history } };
}

/** Context expires after a silence: an old state is dropped rather than resumed. */
export function fresh(state: DialogueState | undefined, now: Date, ttlMinutes: number): DialogueState | undefined {
  if (!state) return undefined;
  const updated = Date.parse(state.updatedAt);
  if (Number.isNaN(updated) || now.getTime() - updated > ttlMinutes * 60_000) return undefined;
  return state;
}
