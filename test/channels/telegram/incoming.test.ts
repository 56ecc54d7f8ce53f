import { describe, expect, it } from 'vitest';
import { toIncoming } from '../../../src/channels/telegram/incoming.ts';

const bot = { id: 666, username: 'LepingLawBot' };
const user = { id: 42, is_bot: false, first_name: 'A' };
const privateChat = { id: 42, type: 'private' };
const group = { id: -100, type: 'supergroup' };
const message = (fields: Record<string, unknown>, chat: object = privateChat) => ({ update_id: 1, message: { message_id: 7, date: 0, from: user, chat, ...fields } });

describe('toIncoming', () => {
  it.each([
    ['text in private', message({ text: '法律援助怎么申请' }), { kind: 'text', text: '法律援助怎么申请', edited: false }],
    ['command', message({ text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] }), { kind: 'command', name: 'start', args: '' }],
    ['command with bot name and args', message({ text: '/help@LepingLawBot now' }), { kind: 'command', name: 'help', args: 'now' }],
    ['command for another bot', message({ text: '/help@OtherBot' }), { kind: 'ignore' }],
    ['sticker', message({ sticker: { file_id: 'x' } }), { kind: 'unsupported', what: 'sticker' }],
    ['photo with caption', message({ photo: [], caption: 'hi' }), { kind: 'unsupported', what: 'photo' }],
    ['voice', message({ voice: {} }), { kind: 'unsupported', what: 'voice' }],
    ['video note', message({ video_note: {} }), { kind: 'unsupported', what: 'video' }],
    ['location', message({ location: { latitude: 1, longitude: 2 } }), { kind: 'unsupported', what: 'location' }],
    ['contact', message({ contact: { phone_number: '1' } }), { kind: 'unsupported', what: 'contact' }],
    ['document', message({ document: {} }), { kind: 'unsupported', what: 'document' }],
    ['poll', message({ poll: {} }), { kind: 'unsupported', what: 'other' }],
    ['group text without mention', message({ text: '大家好' }, group), { kind: 'ignore' }],
    ['group text with mention', message({ text: '@LepingLawBot 法律援助' }, group), { kind: 'text', text: '法律援助' }],
    ['group reply to the bot', message({ text: '那怎么办', reply_to_message: { message_id: 3, from: { id: 666 } } }, group), { kind: 'text', text: '那怎么办' }],
    ['group sticker not for the bot', message({ sticker: {} }, group), { kind: 'ignore' }],
    ['from another bot', message({ text: 'hi', from: { id: 9, is_bot: true } }), { kind: 'ignore' }],
    ['channel post', { update_id: 1, channel_post: { message_id: 1, chat: { id: -5, type: 'channel' }, text: 'x' } }, { kind: 'ignore' }],
    ['not an object', 'hello', { kind: 'ignore' }],
    ['message without chat', { update_id: 1, message: { text: 'x' } }, { kind: 'ignore' }],
  ])('%s', (_name, update, expected) => {
    expect(toIncoming(update, bot)).toMatchObject(expected);
  });

  it('answers edited messages, marked as edited', () => {
    const update = { update_id: 2, edited_message: { message_id: 7, from: user, chat: privateChat, text: '改过的问题' } };
    expect(toIncoming(update, bot)).toMatchObject({ kind: 'text', text: '改过的问题', edited: true });
  });

  it('maps a callback query', () => {
    const update = { update_id: 3, callback_query: { id: 'q1', from: user, data: 'h', message: { message_id: 9, chat: privateChat } } };
    expect(toIncoming(update, bot)).toEqual({ kind: 'callback', queryId: 'q1', data: 'h', userId: 42, chatId: 42, chatType: 'private', messageId: 9 });
  });

  it('maps a staff reply to a bot message in the staff group, and ignores other staff chatter', () => {
    const staff = { id: -200, type: 'group' };
    const reply = message({ text: '您好，请带身份证来', reply_to_message: { message_id: 50, from: { id: 666 } } }, staff);
    expect(toIncoming(reply, bot, -200)).toMatchObject({ kind: 'staff_reply', text: '您好，请带身份证来', replyToMessageId: 50 });
    expect(toIncoming(message({ text: '午饭吃什么' }, staff), bot, -200)).toMatchObject({ kind: 'ignore' });
    expect(toIncoming(message({ text: '/stats' }, staff), bot, -200)).toMatchObject({ kind: 'command', name: 'stats' });
  });
});
