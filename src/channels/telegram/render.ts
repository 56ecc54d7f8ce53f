import type { Reply } from '../../dialogue/types.ts';
import { type CallbackAction, encodeCallbackData, fitsCallbackData } from './callback-data.ts';
import { TEXTS } from './texts.ts';

/**
 * Pure rendering of engine replies and channel texts to Telegram messages: HTML parse mode with
 * every piece of text escaped, split under Telegram's 4096-character limit on line boundaries,
 * with the inline keyboard on the last part.
 */

export const TELEGRAM_TEXT_LIMIT = 4096;

export interface InlineButton {
  text: string;
  callback_data: string;
}

export interface OutgoingMessage {
  html: string;
  keyboard?: InlineButton[][];
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Splits plain text so that each part, once escaped, fits in `limit`. Breaks at a line end
 * where possible, else inside the line (never inside an escaped entity, since it splits the
 * plain text) and never between the two halves of a surrogate pair.
 */
export function splitText(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let current = '';
  const size = (value: string) => escapeHtml(value).length;
  const pushLine = (line: string) => {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (size(candidate) <= limit) {
      current = candidate;
      return;
    }
    if (current !== '') parts.push(current);
    current = '';
    if (size(line) <= limit) {
      current = line;
      return;
    }
    let piece = '';
    for (const char of line) {
      if (size(piece + char) > limit) {
        parts.push(piece);
        piece = '';
      }
      piece += char;
    }
    current = piece;
  };
  for (const line of text.split('\n')) pushLine(line);
  if (current !== '') parts.push(current);
  return parts.length > 0 ? parts : [text];
}

export function renderText(text: string, keyboard?: InlineButton[][]): OutgoingMessage[] {
  const parts = splitText(text).map((part): OutgoingMessage => ({ html: escapeHtml(part) }));
  const last = parts[parts.length - 1];
  if (last && keyboard && keyboard.length > 0) last.keyboard = keyboard;
  return parts;
}

export interface RenderOptions {
  /** The stored exchange this reply answers: enables 👍/👎. */
  exchangeId?: string;
  /** Offer a 转人工 button (for replies that could not help). */
  offerHandoff?: boolean;
}

export function renderReply(reply: Reply, options: RenderOptions = {}): OutgoingMessage[] {
  return renderText(reply.text, replyKeyboard(reply, options));
}

export function replyKeyboard(reply: Reply, options: RenderOptions = {}): InlineButton[][] {
  const rows: InlineButton[][] = [];
  const choices = reply.choices
    .map((choice) => button(choice.label, { kind: 'choice', value: choice.value }))
    .filter((item): item is InlineButton => item !== undefined);
  for (let index = 0; index < choices.length; index += 2) rows.push(choices.slice(index, index + 2));
  for (const suggestion of reply.suggestions) {
    const item = button(suggestion.label, { kind: 'intent', intent: suggestion.intent });
    if (item) rows.push([item]);
  }
  const offerHandoff = options.offerHandoff ?? (reply.kind === 'clarify' || reply.kind === 'no_fact');
  if (offerHandoff) rows.push([{ text: TEXTS.buttons.handoff, callback_data: encodeCallbackData({ kind: 'handoff' }) }]);
  if (options.exchangeId && (reply.kind === 'answer' || reply.kind === 'no_fact')) rows.push(feedbackRow(options.exchangeId));
  return rows;
}

export function feedbackRow(exchangeId: string): InlineButton[] {
  return [
    { text: TEXTS.buttons.up, callback_data: encodeCallbackData({ kind: 'feedback', value: 'up', exchangeId }) },
    { text: TEXTS.buttons.down, callback_data: encodeCallbackData({ kind: 'feedback', value: 'down', exchangeId }) },
  ];
}

/** A button whose data would not fit Telegram's limit is left out rather than sent broken. */
function button(label: string, action: CallbackAction): InlineButton | undefined {
  if (!fitsCallbackData(action)) return undefined;
  return { text: label, callback_data: encodeCallbackData(action) };
}
