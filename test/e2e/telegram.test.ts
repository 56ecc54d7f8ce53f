import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootCore } from '../../src/bootstrap.ts';
import type { TelegramCore } from '../../src/channels/telegram/ports.ts';
import { BOT_ID, buttons, type Harness, startHarness, userOf } from './telegram/harness.ts';

/**
 * The real telegraf bot over HTTP against telegram-test-api on 127.0.0.1, with the real intents/
 * and data/. Assertions name topics and behaviour, not wording. Every test talks as its own
 * user, so flood control and context never leak between tests.
 */

const STAFF_CHAT_ID = -1001;
const ADMIN_ID = 9001;
const SECOND_ADMIN_ID = 9002;

let core: TelegramCore;
let h: Harness;
let nextUser = 100;
const newUser = () => userOf(h, { userId: (nextUser += 1) });

/** The latest stored exchange of a chat: how a test sees which topic the bot answered. */
async function lastExchange(chatId: number) {
  const mine = (await h.store.exchanges()).filter((exchange) => exchange.chatKey === `telegram:${chatId}`);
  return mine[mine.length - 1];
}

let knowledgeDir: string;

beforeAll(async () => {
  // A copy of the real intents/ and data/, so /reload can be shown a broken file.
  knowledgeDir = await mkdtemp(path.join(tmpdir(), 'tg-knowledge-'));
  await cp('intents', path.join(knowledgeDir, 'intents'), { recursive: true });
  await cp('data', path.join(knowledgeDir, 'data'), { recursive: true, filter: (source) => !source.includes('runtime') });
  const booted = await bootCore({ intentsDir: path.join(knowledgeDir, 'intents'), dataDir: path.join(knowledgeDir, 'data') });
  // A core whose engine fails on one magic text, to check the error boundary.
  core = {
    reload: () => booted.reload(),
    engine: new Proxy(booted.engine, {
      get(target, property, receiver) {
        if (property === 'respond') {
          return (...args: Parameters<typeof target.respond>) => {
            const [input] = args;
            if (input.kind === 'text' && input.text === '触发内部错误') throw new Error('boom for the test');
            return target.respond(...args);
          };
        }
        return Reflect.get(target, property, receiver);
      },
    }),
  };
  h = await startHarness(core, {
    STAFF_CHAT_ID: String(STAFF_CHAT_ID),
    HANDOFF_HOURS: '每天 00:00-24:00', // the staff group answers at any hour the test runs
    ADMIN_IDS: `${ADMIN_ID},${SECOND_ADMIN_ID}`,
    FLOOD_MAX_MESSAGES: '6',
    FLOOD_WINDOW_SECONDS: '600',
  });
});

afterAll(async () => {
  await h?.close();
  await rm(knowledgeDir, { recursive: true, force: true });
});

describe('Telegram bot (long polling, emulator)', () => {
  it('/start greets, shows the topic menu, and the commands were registered', async () => {
    const user = newUser();
    await user.command('/start');
    const [greeting] = await user.replies();
    expect(greeting?.parse_mode).toBe('HTML');
    expect(greeting?.text).toContain('12348');
    const menu = buttons(greeting).map((button) => button.callback_data);
    expect(menu.length).toBeGreaterThanOrEqual(8);
    expect(menu).toContain('i:legal_aid.what_is');

    const registered = h.proxy.calls.find((call) => call.method === 'setMyCommands');
    const names = (registered?.body.commands as { command: string }[]).map((command) => command.command);
    expect(names).toEqual(expect.arrayContaining(['start', 'help', 'menu', 'hotline', 'feedback', 'forget']));
  });

  it('a menu button answers that topic, with follow-ups and feedback under the answer', async () => {
    const user = newUser();
    await user.command('/menu');
    const [menu] = await user.replies();
    const legalAid = buttons(menu).find((button) => button.callback_data === 'i:legal_aid.what_is');
    expect(legalAid).toBeDefined();
    await user.press(legalAid!, menu!.message_id);
    const [answer] = await user.replies();
    expect((await lastExchange(user.chatId))?.topic).toBe('legal_aid');
    const data = buttons(answer).map((button) => button.callback_data);
    expect(data.some((item) => item.startsWith('i:legal_aid.'))).toBe(true);
    expect(data.filter((item) => item.startsWith('f:'))).toHaveLength(2);
    expect(h.proxy.calls.some((call) => call.method === 'answerCallbackQuery')).toBe(true);
  });

  it.each([
    ['hotline', '12348热线是做什么的'],
    ['legal_aid', '法律援助怎么申请'],
    ['ganfutong', '赣服通是什么'],
    ['mediation', '邻居吵架可以找人民调解吗'],
    ['reconsideration', '对行政处罚不服怎么申请行政复议'],
    ['info_disclosure', '怎么申请政府信息公开'],
    ['enforcement', '执法人员检查没有出示证件怎么办'],
    ['business', '企业怎么做法治体检'],
    ['legal_education', '什么是法律明白人'],
    ['environment', '发现工厂偷偷排污怎么举报'],
    ['report', '2020年法治政府建设取得了哪些成绩'],
    ['triage', '老板拖欠我工资不给怎么办'],
    ['emergency', '我老公正在打我'],
    ['chitchat', '你能做什么'],
    ['out_of_scope', '今天天气怎么样'],
  ])('answers a %s question', async (topic, question) => {
    const user = newUser();
    await user.say(question);
    const [reply] = await user.replies();
    expect(reply?.text.length).toBeGreaterThan(0);
    expect((await lastExchange(user.chatId))?.topic).toBe(topic);
    if (topic === 'emergency') expect(reply?.text).toContain('110');
  });

  it('/hotline shows the 12348 card', async () => {
    const user = newUser();
    await user.command('/hotline');
    const [card] = await user.replies();
    expect(card?.text).toContain('12348');
    expect((await lastExchange(user.chatId))?.intent).toBe('hotline.what_is');
  });

  it('a follow-up button answers the follow-up question', async () => {
    const user = newUser();
    await user.say('法律援助怎么申请');
    const [answer] = await user.replies();
    const followUp = buttons(answer).find((button) => button.callback_data.startsWith('i:'));
    await user.press(followUp!, answer!.message_id);
    await user.replies();
    expect((await lastExchange(user.chatId))?.intent).toBe(followUp!.callback_data.slice(2));
  });

  it('👍/👎 is stored with the intent that produced the answer, and /feedback offers it again', async () => {
    const user = newUser();
    await user.say('赣服通是什么');
    const [answer] = await user.replies();
    const up = buttons(answer).find((button) => button.callback_data.startsWith('f:u:'));
    await user.press(up!, answer!.message_id);
    await waitFor(async () => (await h.store.feedback()).some((item) => item.chatKey === `telegram:${user.chatId}`));
    const stored = (await h.store.feedback()).find((item) => item.chatKey === `telegram:${user.chatId}`);
    expect(stored).toMatchObject({ value: 'up', intent: 'ganfutong.what_is' });

    await user.command('/feedback');
    const [ask] = await user.replies();
    expect(buttons(ask).map((button) => button.callback_data)).toEqual([up!.callback_data, up!.callback_data.replace('f:u:', 'f:d:')]);
  });

  it.each([
    ['sticker', { sticker: { file_id: 's1', width: 512, height: 512, is_animated: false } }],
    ['photo', { photo: [{ file_id: 'p1', width: 90, height: 90 }] }],
    ['voice', { voice: { file_id: 'v1', duration: 3 } }],
    ['video', { video: { file_id: 'vd1', duration: 3, width: 1, height: 1 } }],
    ['location', { location: { latitude: 28.96, longitude: 117.12 } }],
    ['contact', { contact: { phone_number: '13812345678', first_name: '张' } }],
    ['document', { document: { file_id: 'd1', file_name: '合同.pdf' } }],
  ])('answers a %s with a clear Chinese reply', async (kind, fields) => {
    const user = newUser();
    await user.send(fields);
    const [reply] = await user.replies();
    expect(reply?.text).toMatch(/[\u4e00-\u9fff]/);
    if (kind === 'voice') expect(reply?.text).toContain('12348');
    expect((await lastExchange(user.chatId))?.kind).toBe('unsupported');
  });

  it('in a group answers only when mentioned or replied to', async () => {
    const member = userOf(h, { userId: 301, chatId: -301, type: 'group' });
    await member.say('大家中午吃什么');
    await member.say(`@TestNameBot 法律援助怎么申请`);
    const replies = await member.replies();
    expect(replies).toHaveLength(1);
    expect((await lastExchange(member.chatId))?.topic).toBe('legal_aid');
  });

  it('hands a citizen to staff and delivers the staff reply back', async () => {
    const citizen = newUser();
    const staff = userOf(h, { userId: 501, chatId: STAFF_CHAT_ID, type: 'group', firstName: '值班员' });
    await citizen.say('我的电话13812345678，法律援助怎么申请');
    await citizen.replies();
    await citizen.say('转人工');
    const [told] = await citizen.replies();
    expect(told?.text).toContain('12348');

    const [forwarded] = await staff.replies();
    expect(forwarded?.text).toContain('138****5678');
    expect(forwarded?.text).not.toContain('13812345678');
    expect(forwarded?.text).toContain(`telegram:${citizen.chatId}`);

    await staff.say('您好，请带身份证明到法律援助窗口咨询。', {
      reply_to_message: { message_id: forwarded!.message_id, from: { id: BOT_ID, is_bot: true, first_name: 'Bot' }, chat: { id: STAFF_CHAT_ID, type: 'group' }, date: 0 },
    });
    const [delivered] = await citizen.replies();
    expect(delivered?.text).toContain('请带身份证明到法律援助窗口咨询');
    const [confirmation] = await staff.replies();
    expect(confirmation?.reply_parameters?.message_id).toBeGreaterThan(0);
    // The console's 在线咨询 page shows the same case, with the group's reply in it.
    const [open] = (await h.store.openHandoffCases()).filter((item) => item.chatKey === `telegram:${citizen.chatId}`);
    expect(open?.messages.at(-1)).toMatchObject({ from: 'staff', by: 'Telegram 工作群', text: '您好，请带身份证明到法律援助窗口咨询。' });
  });

  it('the 转人工 button under 👎 asks for a person the same way as typing it', async () => {
    const citizen = newUser();
    await citizen.say('法律援助怎么申请');
    const answer = (await citizen.replies()).find((message) => buttons(message).some((button) => button.text.includes('没帮助')));
    await citizen.press(buttons(answer).find((button) => button.text.includes('没帮助'))!, answer!.message_id);
    const [thanks] = await citizen.replies();
    await citizen.press(buttons(thanks).find((button) => button.text.includes('转人工'))!, thanks!.message_id);
    const [told] = await citizen.replies();
    expect(told?.text).toContain('已为您转接人工');
    expect((await h.store.openHandoffCases()).some((item) => item.chatKey === `telegram:${citizen.chatId}`)).toBe(true);
  });

  it('refuses /reload to a non-admin; for an admin reloads, or keeps the last good set and lists the errors', async () => {
    const citizen = newUser();
    await citizen.command('/reload');
    const [refused] = await citizen.replies();
    expect(refused?.text).toContain('管理员');

    const admin = userOf(h, { userId: ADMIN_ID });
    await admin.command('/reload');
    const [reloaded] = await admin.replies();
    expect(reloaded?.text).toMatch(/版本 \d+/);

    // A broken intent file: the reload is refused with the place of the error, and the last
    // good set keeps answering.
    const file = path.join(knowledgeDir, 'intents', 'hotline.yaml');
    const good = await readFile(file, 'utf8');
    await writeFile(file, `${good}\n  - name: [unclosed\n`, 'utf8');
    try {
      await admin.command('/reload');
      const [refused] = await admin.replies();
      expect(refused?.text).toContain('hotline.yaml');
      expect(refused?.text).toContain('上一版');
    } finally {
      await writeFile(file, good, 'utf8');
    }
    await admin.say('12348热线是做什么的');
    await admin.replies();
    expect((await lastExchange(admin.chatId))?.topic).toBe('hotline');
  });

  it('/stats and /unanswered report to an admin', async () => {
    const admin = userOf(h, { userId: SECOND_ADMIN_ID });
    await admin.say('法律援助怎么申请');
    await admin.replies();
    await admin.say('zxcv qwer asdf');
    await admin.replies();
    expect((await lastExchange(admin.chatId))?.intent).toBe('none');
    await admin.command('/stats');
    const [stats] = await admin.replies();
    expect(stats?.text).toContain('法律援助（legal_aid）');
    await admin.command('/unanswered');
    const [misses] = await admin.replies();
    expect(misses?.text).toContain('zxcv qwer asdf');
  });

  it('tells a flooding user to slow down, once, and does not answer the excess', async () => {
    const user = newUser();
    for (let index = 0; index < 9; index += 1) await user.say(`法律援助怎么申请 ${index}`);
    const replies = await user.replies(7);
    await waitFor(async () => (await h.store.exchanges()).filter((item) => item.chatKey === `telegram:${user.chatId}`).length >= 6);
    const all = [...replies, ...user.drain()];
    expect(all.filter((message) => message.text.includes('太快'))).toHaveLength(1);
    expect((await h.store.exchanges()).filter((item) => item.chatKey === `telegram:${user.chatId}`)).toHaveLength(6);
  });

  it('politely refuses stale or forged button data', async () => {
    const user = newUser();
    await user.press({ callback_data: 'i:legal_aid.no_such_intent' });
    const [stale] = await user.replies();
    expect(stale?.text).toContain('过期');
    await user.press({ callback_data: 'f:u:20200101-deadbeef' });
    await user.press({ callback_data: '<script>' });
    expect(await user.replies(2)).toHaveLength(2);
    await user.say('法律援助怎么申请');
    await user.replies();
    expect((await lastExchange(user.chatId))?.topic).toBe('legal_aid');
  });

  it('apologises with 12348 when a handler fails, and keeps serving', async () => {
    const user = newUser();
    await user.say('触发内部错误');
    const [apology] = await user.replies();
    expect(apology?.text).toContain('12348');
    expect(h.logLines.some((line) => line.includes('telegram handler failed'))).toBe(true);
    await user.say('赣服通是什么');
    await user.replies();
    expect((await lastExchange(user.chatId))?.topic).toBe('ganfutong');
  });

  it('waits and retries when Telegram answers 429', async () => {
    const user = newUser();
    h.proxy.rateLimitNext('sendMessage', 1);
    await user.say('什么是法律明白人');
    const [reply] = await user.replies();
    expect(reply?.text.length).toBeGreaterThan(0);
    expect(h.logLines.some((line) => line.includes('telegram rate limit'))).toBe(true);
  });

  it('/forget deletes the chat after confirmation', async () => {
    const user = newUser();
    await user.say('法律援助怎么申请');
    await user.replies();
    await user.command('/forget');
    const [ask] = await user.replies();
    const yes = buttons(ask).find((button) => button.callback_data === 'x:y');
    await user.press(yes!, ask!.message_id);
    await user.replies();
    expect(await h.store.getState(`telegram:${user.chatId}`)).toBeUndefined();
    expect(await lastExchange(user.chatId)).toBeUndefined();
  });

  it('answered every callback query the tests above sent', async () => {
    const sent = (h.server as unknown as { callbackId: number }).callbackId - 1;
    expect(sent).toBeGreaterThan(5);
    await waitFor(async () => {
      const answered = new Set(h.proxy.calls.filter((call) => call.method === 'answerCallbackQuery').map((call) => call.body.callback_query_id));
      return answered.size === sent;
    });
  });

  it('keeps the conversation context across a restart', async () => {
    const user = newUser();
    await user.say('法律援助怎么申请');
    await user.replies();
    await h.restart();
    await user.say('要钱吗');
    await user.replies();
    const exchange = await lastExchange(user.chatId);
    expect(exchange).toMatchObject({ topic: 'legal_aid', decidedBy: 'context' });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Telegram bot (webhook, emulator)', () => {
  const SECRET = 'test-secret_123';
  let web: Harness;
  let updateId = 5000;
  const chat = { id: 7001, type: 'private', first_name: '网' };
  const from = { id: 7001, is_bot: false, first_name: '网' };
  const textUpdate = (text: string, field: 'message' | 'edited_message' = 'message') => ({
    update_id: (updateId += 1),
    [field]: { message_id: updateId, date: 0, chat, from, text, ...(field === 'edited_message' ? { edit_date: 1 } : {}) },
  });

  beforeAll(async () => {
    web = await startHarness(core, { WEBHOOK_URL: 'http://127.0.0.1:9/telegram/webhook', WEBHOOK_SECRET: SECRET });
  });
  afterAll(async () => {
    await web?.close();
  });

  it('registers the webhook with its secret', () => {
    const call = web.proxy.calls.find((item) => item.method === 'setWebhook');
    expect(call?.body).toMatchObject({ url: 'http://127.0.0.1:9/telegram/webhook', secret_token: SECRET });
  });

  it('refuses a wrong or missing secret and malformed updates', async () => {
    expect(await web.channel.handleWebhookUpdate(textUpdate('你好'), 'wrong')).toEqual({ status: 401 });
    expect(await web.channel.handleWebhookUpdate(textUpdate('你好'), undefined)).toEqual({ status: 401 });
    expect(await web.channel.handleWebhookUpdate('not json', SECRET)).toEqual({ status: 400 });
  });

  it('answers an edited message, ignores a channel post, and never answers an update twice', async () => {
    const user = userOf(web, { userId: 7001 });
    const edited = textUpdate('法律援助怎么申请', 'edited_message');
    expect(await web.channel.handleWebhookUpdate(edited, SECRET)).toEqual({ status: 200 });
    expect(await web.channel.handleWebhookUpdate(edited, SECRET)).toEqual({ status: 200 });
    const channelPost = { update_id: (updateId += 1), channel_post: { message_id: 1, date: 0, chat: { id: -7002, type: 'channel', title: '频道' }, text: '公告' } };
    expect(await web.channel.handleWebhookUpdate(channelPost, SECRET)).toEqual({ status: 200 });
    // A later, different update is answered (so the silence above is not a dead bot).
    await web.channel.handleWebhookUpdate(textUpdate('要钱吗'), SECRET);

    const replies = await user.replies(2);
    expect(replies).toHaveLength(2);
    const stored = (await web.store.exchanges()).map((exchange) => exchange.text);
    expect(stored).toEqual(['法律援助怎么申请', '要钱吗']);
  });

  it('without a staff group, 转人工 gives the 12348 hotline', async () => {
    const user = userOf(web, { userId: 7001 });
    user.drain(); // the earlier test's replies in this chat
    await web.channel.handleWebhookUpdate(textUpdate('转人工'), SECRET);
    const [reply] = await user.replies();
    expect(reply?.text).toContain('12348');
    expect(web.proxy.calls.filter((call) => call.method === 'sendMessage' && Number(call.body.chat_id) < 0)).toEqual([]);
  });
});
