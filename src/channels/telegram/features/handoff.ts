import { maskPersonalNumbers } from '../../../dialogue/mask.ts';
import type { ChatApi, FeatureDeps } from '../ports.ts';
import { renderText } from '../render.ts';
import { TEXTS } from '../texts.ts';

const HISTORY_TURNS = 6;

/**
 * Human handoff. The citizen's question and the last few turns (personal numbers masked) are
 * sent, as a new message, to the staff group; a staff member's reply to that message comes back
 * to the citizen through the bot. A forward of the original message is not used on purpose: it
 * would show the citizen's unmasked numbers and profile to the whole group.
 */
export function createHandoff(deps: FeatureDeps) {
  const staffChatId = deps.config.STAFF_CHAT_ID;

  return {
    async request(api: ChatApi, chatId: number, chatKey: string, question: string | undefined): Promise<void> {
      if (staffChatId === undefined) {
        await api.send(chatId, renderText(TEXTS.handoff.unavailable));
        return;
      }
      try {
        const state = await deps.store.getState(chatKey);
        const [staffMessageId] = await api.send(staffChatId, renderText(staffText(chatKey, question, state?.history ?? [])));
        if (staffMessageId === undefined) throw new Error('staff message has no id');
        await deps.store.saveHandoff(staffMessageId, chatKey);
        await api.send(chatId, renderText(TEXTS.handoff.queued));
        deps.logger.info('handoff sent to staff', { chatKey, staffMessageId });
      } catch (error) {
        deps.logger.error('handoff failed', { chatKey, error });
        await api.send(chatId, renderText(TEXTS.handoff.failed));
      }
    },

    /** A reply in the staff group to a handoff message: deliver it to the citizen. */
    async staffReply(api: ChatApi, reply: { chatId: number; messageId: number; replyToMessageId: number; text: string | undefined }): Promise<void> {
      const chatKey = await deps.store.findHandoff(reply.replyToMessageId);
      if (!chatKey) return; // a reply to some other bot message (a confirmation, a stats table)
      if (!reply.text) {
        await api.send(reply.chatId, renderText(TEXTS.handoff.staffOnlyText), { replyTo: reply.messageId });
        return;
      }
      const citizenChatId = Number(chatKey.slice(chatKey.indexOf(':') + 1));
      try {
        await api.send(citizenChatId, renderText(`${TEXTS.handoff.citizenPrefix}\n${reply.text}`));
        await api.send(reply.chatId, renderText(TEXTS.handoff.staffDelivered), { replyTo: reply.messageId });
      } catch (error) {
        deps.logger.warn('staff reply not delivered', { chatKey, error });
        await api.send(reply.chatId, renderText(TEXTS.handoff.staffDeliverFailed), { replyTo: reply.messageId });
      }
    },
  };
}

export type Handoff = ReturnType<typeof createHandoff>;

function staffText(chatKey: string, question: string | undefined, history: { role: 'user' | 'bot'; text: string }[]): string {
  const lines = [TEXTS.handoff.staffHeader, `${TEXTS.handoff.staffFrom}：${chatKey}`];
  const recent = history.slice(-HISTORY_TURNS);
  // The history already ends with the request itself; the question is shown on its own only
  // when there is no history (context expired, or the 转人工 button after a restart).
  if (question && recent.length === 0) lines.push(`${TEXTS.handoff.staffQuestion}：${maskPersonalNumbers(question)}`);
  if (recent.length > 0) {
    lines.push('', `${TEXTS.handoff.staffHistory}：`);
    for (const turn of recent) {
      const who = turn.role === 'user' ? TEXTS.handoff.roleUser : TEXTS.handoff.roleBot;
      lines.push(`${who}：${maskPersonalNumbers(turn.text).replace(/\s+/g, ' ').slice(0, 300)}`);
    }
  }
  lines.push('', TEXTS.handoff.staffHowTo);
  return lines.join('\n');
}
