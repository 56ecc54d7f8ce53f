import { type CallbackAction, encodeCallbackData, parseCallbackData } from '../callback-data.ts';
import { maskPersonalNumbers } from '../../../dialogue/mask.ts';
import type { Conversation } from '../../../chat/conversation.ts';
import type { ChatApi, FeatureDeps } from '../ports.ts';
import { renderText } from '../render.ts';
import { TEXTS } from '../texts.ts';
import type { Citizen } from './citizen.ts';

const HANDOFF_REQUEST = '转人工';

export interface CallbackEvent {
  queryId: string;
  data: string;
  userId: number;
  chatId: number;
  messageId?: number;
}

/**
 * Inline buttons, in two steps. `acknowledge` answers the callback query at once, before the
 * chat's queue and any I/O (Telegram shows a spinner until then), deciding its toast from the
 * data alone. `handle` then does the work in the chat's queue. Data that does not parse, an
 * intent that no longer exists, or an exchange of another chat gets a polite "button expired".
 */
export function createCallbacks(deps: FeatureDeps, conversation: Conversation, citizen: Citizen) {
  const knownIntent = (intent: string) => deps.core.engine.knowledge().intents.some((item) => item.name === intent);

  /** The action to carry out, or undefined for stale/forged data. */
  const validAction = (data: string): CallbackAction | undefined => {
    const action = parseCallbackData(data);
    if (action?.kind === 'intent' && !knownIntent(action.intent)) return undefined;
    return action;
  };

  const stale = async (api: ChatApi, event: CallbackEvent, reason: string) => {
    deps.logger.info('stale or forged callback data', { reason, userId: event.userId, data: maskPersonalNumbers(event.data).slice(0, 64) });
    await api.send(event.chatId, renderText(TEXTS.staleButton));
  };

  return {
    async acknowledge(api: ChatApi, queryId: string, data: string): Promise<void> {
      const action = validAction(data);
      if (!action) return api.answerCallback(queryId, TEXTS.staleButton);
      if (action.kind === 'feedback') {
        return api.answerCallback(queryId, action.value === 'up' ? TEXTS.feedbackThanksUp : TEXTS.callbackDone);
      }
      return api.answerCallback(queryId);
    },

    async handle(api: ChatApi, event: CallbackEvent, chatKey: string): Promise<void> {
      const action = validAction(event.data);
      if (!action) return stale(api, event, 'unparsable or unknown intent');

      switch (action.kind) {
        case 'intent':
          await citizen.answer(api, event.chatId, chatKey, { kind: 'intent', intent: action.intent });
          return;
        case 'choice':
          await citizen.answer(api, event.chatId, chatKey, { kind: 'choice', value: action.value });
          return;
        case 'feedback': {
          const exchange = await conversation.rate(chatKey, action.exchangeId, action.value);
          if (!exchange) return stale(api, event, 'unknown exchange');
          if (action.value === 'down') {
            const handoffButton = { text: TEXTS.buttons.handoff, callback_data: encodeCallbackData({ kind: 'handoff' }) };
            await api.send(event.chatId, renderText(TEXTS.feedbackThanksDown, [[handoffButton]]));
          }
          return;
        }
        case 'handoff':
          // The button is the same request as typing it, through the same turn and desk.
          await citizen.answer(api, event.chatId, chatKey, { kind: 'text', text: HANDOFF_REQUEST });
          return;
        case 'forget':
          if (event.messageId !== undefined) await api.setKeyboard(event.chatId, event.messageId, undefined);
          if (!action.confirmed) {
            await api.send(event.chatId, renderText(TEXTS.forgetCancelled));
            return;
          }
          // Already in the chat's queue (the whole update runs there): forget directly.
          await deps.store.forget(chatKey);
          deps.logger.info("chat forgotten at the citizen's request", { chatKey });
          await api.send(event.chatId, renderText(TEXTS.forgetDone));
          return;
      }
    },
  };
}
