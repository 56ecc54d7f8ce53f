import type { EngineInput, Reply } from '../../../dialogue/types.ts';
import type { Conversation } from '../../../chat/conversation.ts';
import type { ChatApi, FeatureDeps } from '../ports.ts';
import { encodeCallbackData } from '../callback-data.ts';
import { feedbackRow, renderReply, renderText, replyKeyboard } from '../render.ts';
import { TEXTS } from '../texts.ts';
import type { Handoff } from './handoff.ts';

/** What a citizen can do: ask in text, press buttons, send other things, use commands. */
export function createCitizen(deps: FeatureDeps, conversation: Conversation, handoff: Handoff) {
  const engine = () => deps.core.engine;

  /** Runs one turn and sends the reply; a `handoff` reply starts the handoff instead. */
  async function answer(api: ChatApi, chatId: number, chatKey: string, input: EngineInput): Promise<Reply> {
    const conversed = await conversation.converse('telegram', chatKey, input);
    const { reply, exchange } = conversed;
    if (reply.kind === 'handoff') {
      await handoff.afterRequest(api, chatId, chatKey, conversed);
      return reply;
    }
    const withFeedback = reply.kind === 'answer' || reply.kind === 'no_fact';
    await api.send(chatId, renderReply(reply, { exchangeId: withFeedback ? exchange.id : undefined }));
    return reply;
  }

  const commands: Record<string, (api: ChatApi, chatId: number, chatKey: string) => Promise<void>> = {
    async start(api, chatId) {
      await api.send(chatId, renderText(TEXTS.greeting, replyKeyboard(engine().menu(), { offerHandoff: false })));
    },
    async help(api, chatId) {
      await api.send(chatId, renderText(TEXTS.help));
    },
    async menu(api, chatId) {
      await api.send(chatId, renderReply(engine().menu(), { offerHandoff: false }));
    },
    async hotline(api, chatId, chatKey) {
      await answer(api, chatId, chatKey, { kind: 'intent', intent: 'hotline.what_is' });
    },
    async feedback(api, chatId, chatKey) {
      const latest = await conversation.latestExchange(chatKey);
      if (!latest) {
        await api.send(chatId, renderText(TEXTS.feedbackNothing));
        return;
      }
      await api.send(chatId, renderText(TEXTS.feedbackAsk, [feedbackRow(latest.id)]));
    },
    async forget(api, chatId) {
      await api.send(
        chatId,
        renderText(TEXTS.forgetAsk, [
          [
            { text: TEXTS.buttons.forgetYes, callback_data: encodeCallbackData({ kind: 'forget', confirmed: true }) },
            { text: TEXTS.buttons.forgetNo, callback_data: encodeCallbackData({ kind: 'forget', confirmed: false }) },
          ],
        ]),
      );
    },
  };

  return {
    answer,
    handlesCommand: (name: string) => Object.hasOwn(commands, name),
    async command(api: ChatApi, name: string, chatId: number, chatKey: string): Promise<void> {
      const run = Object.hasOwn(commands, name) ? commands[name] : undefined;
      await (run ?? commands.help)!(api, chatId, chatKey);
    },
  };
}

export type Citizen = ReturnType<typeof createCitizen>;
