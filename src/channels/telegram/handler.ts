import { createConversation } from '../../chat/conversation.ts';
import { createHandoffDesk } from '../../chat/handoffs.ts';
import { createAdmin } from './features/admin.ts';
import { createCallbacks } from './features/callbacks.ts';
import { createCitizen } from './features/citizen.ts';
import { createHandoff } from './features/handoff.ts';
import { createFloodGate, createUpdateDeduper } from './guards.ts';
import { type BotIdentity, toIncoming } from './incoming.ts';
import type { ChatApi, FeatureDeps } from './ports.ts';
import { renderText } from './render.ts';
import { TEXTS } from './texts.ts';

/**
 * Routes one update, top to bottom: drop a repeat → map it (pure) → flood control → run it in
 * its chat's queue with the feature that owns it. Errors are left to bot.catch (bot.ts).
 */
export function createUpdateHandler(deps: FeatureDeps) {
  const updates = deps.updates ?? createUpdateDeduper();
  const flood = createFloodGate({
    max: deps.config.FLOOD_MAX_MESSAGES,
    windowMs: deps.config.FLOOD_WINDOW_SECONDS * 1000,
    now: () => deps.now().getTime(),
  });
  // bot.ts passes the desk (with its Telegram push); a bare handler gets one that cannot push.
  const desk =
    deps.handoffs ??
    createHandoffDesk({
      store: deps.store,
      now: deps.now,
      hours: deps.config.HANDOFF_HOURS,
      staffSeenMinutes: deps.config.HANDOFF_STAFF_SEEN_MINUTES,
      telegramStaffGroup: deps.config.STAFF_CHAT_ID !== undefined,
      logger: deps.logger,
    });
  const conversation =
    deps.conversation ??
    createConversation({ engine: () => deps.core.engine, store: deps.store, now: deps.now, contextTtlMinutes: deps.config.CONTEXT_TTL_MINUTES, handoffs: desk });
  const handoff = createHandoff(deps, desk);
  const citizen = createCitizen(deps, conversation, handoff);
  const admin = createAdmin(deps);
  const callbacks = createCallbacks(deps, conversation, citizen);

  return async function handleUpdate(update: unknown, api: ChatApi, bot: BotIdentity): Promise<void> {
    const updateId = (update as { update_id?: unknown } | null)?.update_id;
    if (typeof updateId !== 'number') return route(update, api, bot, undefined);
    const claim = await updates.claim(updateId);
    if (!claim) {
      deps.logger.info('repeated update ignored', { updateId });
      return;
    }
    // Done whether it was answered or failed (bot.catch apologises): a copy gets no second
    // reply either way. Only a process that dies mid-update leaves it unclaimed for a copy.
    try {
      await route(update, api, bot, updateId);
    } finally {
      await claim.done().catch((error: unknown) => {
        // The reply went out; a copy may be answered again. Not the citizen's problem: log it.
        deps.logger.error('could not record the update as handled', { updateId, error });
      });
    }
  };

  async function route(update: unknown, api: ChatApi, bot: BotIdentity, updateId: number | undefined): Promise<void> {
    const incoming = toIncoming(update, bot, deps.config.STAFF_CHAT_ID);
    // The chat id in the debug log is how an operator finds the staff group's STAFF_CHAT_ID.
    deps.logger.debug('update', { updateId, kind: incoming.kind, chatId: 'chatId' in incoming ? incoming.chatId : undefined });
    switch (incoming.kind) {
      case 'ignore':
        deps.logger.debug('update ignored', { updateId, reason: incoming.reason });
        return;

      case 'staff_reply':
        await handoff.staffReply(api, incoming);
        return;

      case 'callback': {
        const { chatId } = incoming;
        if (chatId === undefined) {
          await api.answerCallback(incoming.queryId, TEXTS.staleButton);
          return;
        }
        const gate = flood.check(incoming.userId);
        if (!gate.allowed) {
          await api.answerCallback(incoming.queryId, TEXTS.floodToast);
          return;
        }
        await callbacks.acknowledge(api, incoming.queryId, incoming.data);
        const chatKey = `telegram:${chatId}`;
        await conversation.inChat(chatKey, () => callbacks.handle(api, { ...incoming, chatId }, chatKey));
        return;
      }

      case 'command':
      case 'text':
      case 'unsupported': {
        const isStaffChat = incoming.chatId === deps.config.STAFF_CHAT_ID;
        const gate = isStaffChat ? { allowed: true as const } : flood.check(incoming.userId);
        if (!gate.allowed) {
          deps.logger.info('flood control', { userId: incoming.userId, told: gate.firstRefusal });
          if (gate.firstRefusal) await api.send(incoming.chatId, renderText(TEXTS.flood));
          return;
        }
        const chatKey = `telegram:${incoming.chatId}`;
        await conversation.inChat(chatKey, async () => {
          if (incoming.kind === 'command') {
            if (admin.handles(incoming.name)) return admin.run(api, incoming.name, incoming.chatId, incoming.userId);
            return citizen.command(api, incoming.name, incoming.chatId, chatKey);
          }
          if (incoming.kind === 'text') {
            await citizen.answer(api, incoming.chatId, chatKey, { kind: 'text', text: incoming.text });
            return;
          }
          await citizen.answer(api, incoming.chatId, chatKey, { kind: 'unsupported', what: incoming.what });
        });
        return;
      }
    }
  }
}
