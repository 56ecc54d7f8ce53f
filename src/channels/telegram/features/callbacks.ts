import { encodeCallbackData, parseCallbackData } from '../callback-data.ts';
import type { Conversation } from '../conversation.ts';
import type { ChatApi, FeatureDeps } from '../ports.ts';
import { renderText } from '../render.ts';
import { TEXTS } from '../texts.ts';
import type { Citizen } from './citizen.ts';
import type { Handoff } from './handoff.ts';

export interface CallbackEvent {
  queryId: string;
  data: string;
  userId: number;
  chatId: number;
  messageId?: number;
}

/**
 * Inline buttons. The callback query is answered first, at once (Telegram shows a spinner
 * until then); the work follows. Data that does not parse, an intent that no longer exists,
 * or an exchange of another chat gets the same polite "button expired" reply.
 */
export function createCallbacks(deps: FeatureDeps, conversation: Conversation, citizen: Citizen, handoff: Handoff) {
  const stale = async (api: ChatApi, event: CallbackEvent, reason: string) => {
    deps.logger.info('stale or forged callback data', { reason, userId: event.userId, data: event.data.slice(0, 64) });
    await api.answerCallback(event.queryId, TEXTS.staleButton);
    await api.send(event.chatId, renderText(TEXTS.staleButton));
  };

  return {
    async handle(api: ChatApi, event: CallbackEvent, chatKey: string): Promise<void> {
      const action = parseCallbackData(event.data);
      if (!action) return stale(api, event, 'unparsable');

      switch (action.kind) {
        case 'intent': {
          if (!deps.core.engine.knowledge().intents.some((intent) => intent.name === action.intent)) {
            return stale(api, event, `unknown intent ${action.intent}`);
          }
          await api.answerCallback(event.queryId);
          await citizen.answer(api, event.chatId, chatKey, { kind: 'intent', intent: action.intent });
          return;
        }
        case 'choice':
          await api.answerCallback(event.queryId);
          await citizen.answer(api, event.chatId, chatKey, { kind: 'choice', value: action.value });
          return;
        case 'feedback': {
          const exchange = await deps.store.findExchange(action.exchangeId);
          if (!exchange || exchange.chatKey !== chatKey) return stale(api, event, 'unknown exchange');
          await api.answerCallback(event.queryId, action.value === 'up' ? TEXTS.feedbackThanksUp : TEXTS.feedbackThanksDown);
          await deps.store.recordFeedback({
            exchangeId: exchange.id,
            at: deps.now().toISOString(),
            chatKey,
            value: action.value,
            intent: exchange.intent,
          });
          if (action.value === 'down') {
            const handoffButton = { text: TEXTS.buttons.handoff, callback_data: encodeCallbackData({ kind: 'handoff' }) };
            await api.send(event.chatId, renderText(TEXTS.feedbackThanksDown, [[handoffButton]]));
          }
          return;
        }
        case 'handoff':
          await api.answerCallback(event.queryId);
          await handoff.request(api, event.chatId, chatKey, undefined);
          return;
        case 'forget':
          await api.answerCallback(event.queryId);
          if (event.messageId !== undefined) await api.setKeyboard(event.chatId, event.messageId, undefined);
          if (!action.confirmed) {
            await api.send(event.chatId, renderText(TEXTS.forgetCancelled));
            return;
          }
          await deps.store.forget(chatKey);
          conversation.forgetLocal(chatKey);
          deps.logger.info('chat forgotten at the citizen\'s request', { chatKey });
          await api.send(event.chatId, renderText(TEXTS.forgetDone));
          return;
      }
    },
  };
}
