import type { EngineInput } from '../../dialogue/types.ts';

/**
 * Pure mapping of a Telegram update to what the bot should do with it. No telegraf here: the
 * update is read as plain JSON, so tests build updates by hand and a forged update can only
 * map to `ignore`.
 */

export type UnsupportedWhat = Extract<EngineInput, { kind: 'unsupported' }>['what'];

export interface Origin {
  chatId: number;
  chatType: 'private' | 'group' | 'supergroup' | 'channel';
  userId: number;
  messageId: number;
}

export type Incoming =
  | { kind: 'ignore'; reason: string }
  | ({ kind: 'command'; name: string; args: string } & Origin)
  | ({ kind: 'text'; text: string; edited: boolean } & Origin)
  | ({ kind: 'unsupported'; what: UnsupportedWhat } & Origin)
  | ({ kind: 'staff_reply'; text: string | undefined; replyToMessageId: number } & Origin)
  | { kind: 'callback'; queryId: string; data: string; userId: number; chatId?: number; chatType?: string; messageId?: number };

export interface BotIdentity {
  id: number;
  username: string;
}

interface RawMessage {
  message_id?: unknown;
  from?: { id?: unknown; is_bot?: unknown };
  chat?: { id?: unknown; type?: unknown };
  text?: unknown;
  caption?: unknown;
  entities?: { type?: unknown; offset?: unknown; length?: unknown }[];
  reply_to_message?: { message_id?: unknown; from?: { id?: unknown } };
  [key: string]: unknown;
}

const NON_TEXT: [string, UnsupportedWhat][] = [
  ['sticker', 'sticker'],
  ['photo', 'photo'],
  ['voice', 'voice'],
  ['video_note', 'video'],
  ['video', 'video'],
  ['animation', 'video'],
  ['audio', 'audio'],
  ['location', 'location'],
  ['venue', 'location'],
  ['contact', 'contact'],
  ['document', 'document'],
];

export function toIncoming(update: unknown, bot: BotIdentity, staffChatId?: number): Incoming {
  if (typeof update !== 'object' || update === null) return ignore('not an object');
  const raw = update as Record<string, unknown>;
  if (isObject(raw.callback_query)) return toCallback(raw.callback_query);
  if (isObject(raw.message)) return toMessage(raw.message as RawMessage, false, bot, staffChatId);
  if (isObject(raw.edited_message)) return toMessage(raw.edited_message as RawMessage, true, bot, staffChatId);
  if (raw.channel_post || raw.edited_channel_post) return ignore('channel post');
  return ignore('update type not handled');
}

function toMessage(message: RawMessage, edited: boolean, bot: BotIdentity, staffChatId?: number): Incoming {
  const origin = originOf(message);
  if (!origin) return ignore('message without chat or sender');
  if (message.from?.is_bot === true) return ignore('from a bot');
  if (origin.chatType === 'channel') return ignore('channel post');
  const text = typeof message.text === 'string' ? message.text : undefined;

  if (staffChatId !== undefined && origin.chatId === staffChatId) {
    const replyTo = message.reply_to_message?.message_id;
    if (typeof replyTo === 'number' && message.reply_to_message?.from?.id === bot.id && !isCommand(message)) {
      return { kind: 'staff_reply', text, replyToMessageId: replyTo, ...origin };
    }
    // Admins may use commands in the staff group; other chatter there is not for the bot.
    return isCommand(message) ? toCommand(text ?? '', bot, origin) : ignore('staff group chatter');
  }

  const inGroup = origin.chatType !== 'private';
  if (text !== undefined && isCommand(message)) return toCommand(text, bot, origin);
  if (inGroup && !isAddressedToBot(message, bot)) return ignore('group message not for the bot');
  if (text !== undefined) {
    const cleaned = inGroup ? stripMention(text, bot) : text;
    return { kind: 'text', text: cleaned, edited, ...origin };
  }
  for (const [field, what] of NON_TEXT) {
    if (message[field] !== undefined) return { kind: 'unsupported', what, ...origin };
  }
  return { kind: 'unsupported', what: 'other', ...origin };
}

function toCommand(text: string, bot: BotIdentity, origin: Origin): Incoming {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return ignore('malformed command');
  const [, name = '', target, args = ''] = match;
  if (target && target.toLowerCase() !== bot.username.toLowerCase()) return ignore('command for another bot');
  return { kind: 'command', name: name.toLowerCase(), args: args.trim(), ...origin };
}

function toCallback(query: object): Incoming {
  const raw = query as { id?: unknown; data?: unknown; from?: { id?: unknown }; message?: RawMessage };
  if (typeof raw.id !== 'string' || typeof raw.from?.id !== 'number') return ignore('malformed callback');
  const chatId = raw.message?.chat?.id;
  const messageId = raw.message?.message_id;
  return {
    kind: 'callback',
    queryId: raw.id,
    data: typeof raw.data === 'string' ? raw.data : '',
    userId: raw.from.id,
    chatId: typeof chatId === 'number' ? chatId : undefined,
    chatType: typeof raw.message?.chat?.type === 'string' ? raw.message.chat.type : undefined,
    messageId: typeof messageId === 'number' ? messageId : undefined,
  };
}

function originOf(message: RawMessage): Origin | undefined {
  const chatId = message.chat?.id;
  const chatType = message.chat?.type;
  const userId = message.from?.id;
  if (typeof chatId !== 'number' || typeof chatType !== 'string') return undefined;
  if (!['private', 'group', 'supergroup', 'channel'].includes(chatType)) return undefined;
  // Channel posts carry no sender; they are ignored anyway.
  if (typeof userId !== 'number' && chatType !== 'channel') return undefined;
  return {
    chatId,
    chatType: chatType as Origin['chatType'],
    userId: typeof userId === 'number' ? userId : 0,
    messageId: typeof message.message_id === 'number' ? message.message_id : 0,
  };
}

function isCommand(message: RawMessage): boolean {
  const text = typeof message.text === 'string' ? message.text : '';
  const first = message.entities?.[0];
  return text.startsWith('/') && (first === undefined || (first.type === 'bot_command' && first.offset === 0));
}

function isAddressedToBot(message: RawMessage, bot: BotIdentity): boolean {
  if (message.reply_to_message?.from?.id === bot.id) return true;
  const text = typeof message.text === 'string' ? message.text : '';
  return text.toLowerCase().includes(`@${bot.username.toLowerCase()}`);
}

function stripMention(text: string, bot: BotIdentity): string {
  const escaped = bot.username.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`@${escaped}`, 'gi'), '').trim();
}

function ignore(reason: string): Incoming {
  return { kind: 'ignore', reason };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
