import type { Conversed } from '../../../chat/conversation.ts';
import type { CitizenNotice, HandoffDesk } from '../../../chat/handoffs.ts';
import { maskPersonalNumbers } from '../../../dialogue/mask.ts';
import type { Turn } from '../../../dialogue/types.ts';
import type { ChatApi, FeatureDeps } from '../ports.ts';
import { renderText } from '../render.ts';
import { TEXTS } from '../texts.ts';

const HISTORY_TURNS = 6;

/**
 * Human handoff on Telegram. The desk (chat/handoffs.ts) decides during the turn whether anyone
 * can answer and opens the case the console's 在线咨询 page lists; here a new case is also sent,
 * as a new message, to the staff group when there is one, and a staff member's reply to that
 * message comes back to the citizen through the bot and into the case. A forward of the original
 * message is not used on purpose: it would show the citizen's unmasked numbers and profile to
 * the whole group.
 */
export function createHandoff(deps: FeatureDeps, desk: HandoffDesk) {
  const staffChatId = deps.config.STAFF_CHAT_ID;

  return {
    /** After a 转人工 turn: tell the citizen what the desk decided, after reaching the group. */
    async afterRequest(api: ChatApi, chatId: number, chatKey: string, conversed: Conversed): Promise<void> {
      if (conversed.handoff?.status === 'opened' && staffChatId !== undefined) {
        try {
          const [staffMessageId] = await api.send(staffChatId, renderText(staffText(chatKey, conversed.state.history)));
          if (staffMessageId === undefined) throw new Error('staff message has no id');
          await deps.store.saveHandoff(staffMessageId, chatKey);
          deps.logger.info('handoff sent to staff', { chatKey, staffMessageId });
        } catch (error) {
          // The case stays on 在线咨询, but nobody in the group saw it: promise nothing.
          deps.logger.error('handoff failed', { chatKey, error });
          await api.send(chatId, renderText(TEXTS.handoff.failed));
          return;
        }
      }
      await api.send(chatId, renderText(conversed.reply.text));
    },

    /** A reply in the staff group to a handoff message: deliver it to the citizen, keep it in the case. */
    async staffReply(api: ChatApi, reply: { chatId: number; messageId: number; replyToMessageId: number; text: string | undefined }): Promise<void> {
      const chatKey = await deps.store.findHandoff(reply.replyToMessageId);
      if (!chatKey) return; // a reply to some other bot message (a confirmation, a stats table)
      if (!reply.text) {
        await api.send(reply.chatId, renderText(TEXTS.handoff.staffOnlyText), { replyTo: reply.messageId });
        return;
      }
      try {
        await deliverToCitizen(api, chatKey, { kind: 'reply', text: reply.text });
      } catch (error) {
        deps.logger.warn('staff reply not delivered', { chatKey, error });
        await api.send(reply.chatId, renderText(TEXTS.handoff.staffDeliverFailed), { replyTo: reply.messageId });
        return;
      }
      await desk.noteStaffReply(chatKey, reply.text, TEXTS.handoff.staffGroupName);
      await api.send(reply.chatId, renderText(TEXTS.handoff.staffDelivered), { replyTo: reply.messageId });
    },
  };
}

export type Handoff = ReturnType<typeof createHandoff>;

/**
 * Sends a staff reply (from the group or from 在线咨询) or the close of a case to the citizen's
 * Telegram chat: the one path both use, so the citizen sees every staff reply the same way.
 */
export async function deliverToCitizen(api: ChatApi, chatKey: string, notice: CitizenNotice): Promise<void> {
  const chatId = Number(chatKey.slice(chatKey.indexOf(':') + 1));
  if (!chatKey.startsWith('telegram:') || !Number.isSafeInteger(chatId)) throw new Error(`not a Telegram chat: ${chatKey}`);
  const text = notice.kind === 'reply' ? `${TEXTS.handoff.citizenPrefix}\n${notice.text}` : notice.text;
  await api.send(chatId, renderText(text));
}

function staffText(chatKey: string, history: Turn[]): string {
  const lines = [TEXTS.handoff.staffHeader, `${TEXTS.handoff.staffFrom}：${chatKey}`];
  const recent = history.slice(-HISTORY_TURNS);
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
