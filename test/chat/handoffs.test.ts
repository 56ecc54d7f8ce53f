import { describe, expect, it } from 'vitest';
import { DeliveryError, StateError } from '../../src/admin/errors.ts';
import { createConversation } from '../../src/chat/conversation.ts';
import { type CitizenNotice, createHandoffDesk, handoffAvailability } from '../../src/chat/handoffs.ts';
import type { DialogueState, EngineInput } from '../../src/dialogue/types.ts';
import type { Engine } from '../../src/engine-types.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { parseServiceHours, type ServiceHours } from '../../src/lib/service-hours.ts';
import { createMemoryStore } from '../fakes/memory-store.ts';

const hours = (text: string): ServiceHours => {
  const parsed = parseServiceHours(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.hours;
};
const OFFICE = hours('周一至周五 08:30-17:30');
const MONDAY_10 = new Date('2024-05-06T10:00:00+08:00');
const MONDAY_20 = new Date('2024-05-06T20:00:00+08:00');

/** An engine that hands over on 转人工 and otherwise answers "答复", keeping history like the real one. */
const engine = {
  respond(input: EngineInput, state: DialogueState | undefined, now: Date) {
    const text = input.kind === 'text' ? input.text : '';
    const handoff = text === '转人工';
    const reply = { kind: handoff ? 'handoff' : 'answer', intent: handoff ? 'handoff.human' : 'hotline.what_is', topic: 'x', confidence: 1, text: handoff ? '需要人工解答的，请拨打12348' : '答复', sources: [], suggestions: [], choices: [] };
    const at = now.toISOString();
    const history = [...(state?.history ?? []), { role: 'user' as const, text, at }, { role: 'bot' as const, text: reply.text, at }];
    return { reply, state: { turns: (state?.turns ?? 0) + 1, history, updatedAt: at }, trace: { decidedBy: 'rule' } };
  },
} as unknown as Engine;

function setup(options: { hours?: ServiceHours; at?: Date; telegramStaffGroup?: boolean; notify?: (chatKey: string, notice: CitizenNotice) => Promise<void> } = {}) {
  const clock = { now: options.at ?? MONDAY_10 };
  const store = createMemoryStore();
  const desk = createHandoffDesk({
    store,
    now: () => clock.now,
    hours: options.hours ?? OFFICE,
    staffSeenMinutes: 5,
    telegramStaffGroup: options.telegramStaffGroup ?? false,
    ...(options.notify ? { notify: options.notify } : {}),
    logger: createLogger('silent'),
  });
  const conversation = createConversation({ engine: () => engine, store, now: () => clock.now, contextTtlMinutes: 30, handoffs: desk });
  const later = (minutes: number) => {
    clock.now = new Date(clock.now.getTime() + minutes * 60_000);
  };
  return { clock, store, desk, conversation, later };
}

describe('who can answer a handoff', () => {
  const at = MONDAY_10;
  it.each([
    ['switched off', 'off', { hours: hours('关闭'), at, staffOnline: true, telegramStaffGroup: true, channel: 'web' as const }],
    ['outside the hours, staff online', 'outside_hours', { hours: OFFICE, at: MONDAY_20, staffOnline: true, telegramStaffGroup: true, channel: 'web' as const }],
    ['in hours, nobody on the console', 'no_staff', { hours: OFFICE, at, staffOnline: false, telegramStaffGroup: false, channel: 'web' as const }],
    ['in hours, someone on the console', 'available', { hours: OFFICE, at, staffOnline: true, telegramStaffGroup: false, channel: 'web' as const }],
    ['web in hours, only a Telegram staff group', 'no_staff', { hours: OFFICE, at, staffOnline: false, telegramStaffGroup: true, channel: 'web' as const }],
    ['Telegram in hours with a staff group', 'available', { hours: OFFICE, at, staffOnline: false, telegramStaffGroup: true, channel: 'telegram' as const }],
  ])('%s → %s', (_name, expected, input) => {
    expect(handoffAvailability(input)).toBe(expected);
  });
});

describe('转人工 in the chat', () => {
  it('with nobody on the console, says so and gives 12348, and opens no case', async () => {
    const { conversation, store } = setup();
    const { reply, exchange } = await conversation.turn('web', 'web:a', { kind: 'text', text: '转人工' });
    expect(reply.text).toContain('没有工作人员在线');
    expect(reply.text).toContain('12348');
    expect(reply.text).not.toContain('会在这个对话里回复');
    expect(exchange.reply).toBe(reply.text); // what is stored is what the citizen read
    expect(await store.openHandoffCases()).toEqual([]);
  });

  it('outside the hours, names the hours and gives 12348 even with staff online', async () => {
    const { conversation, desk, store } = setup({ at: MONDAY_20 });
    desk.staffSeen('staff');
    const { reply } = await conversation.turn('web', 'web:a', { kind: 'text', text: '转人工' });
    expect(reply.text).toContain('现在不是在线人工服务时间（周一至周五 08:30-17:30）');
    expect(reply.text).toContain('12348');
    expect(await store.openHandoffCases()).toEqual([]);
  });

  it('stops counting a console user as online once the page has not asked for a while', async () => {
    const { conversation, desk, later } = setup();
    desk.staffSeen('staff');
    later(6);
    expect((await conversation.turn('web', 'web:a', { kind: 'text', text: '转人工' })).handoff?.status).toBe('no_staff');
  });

  it('with staff online in hours, opens one case with the earlier turns masked and says where the reply will appear', async () => {
    const { conversation, desk, store } = setup();
    desk.staffSeen('staff');
    await conversation.turn('web', 'web:a', { kind: 'text', text: '我电话13812345678，工资被拖欠' });
    const { reply, state, handoff } = await conversation.turn('web', 'web:a', { kind: 'text', text: '转人工' });
    expect(handoff?.status).toBe('opened');
    expect(reply.text).toContain('会直接在这个对话里回复您');
    expect(reply.text).toContain('“工作人员”');
    expect(state.history.at(-1)?.text).toBe(reply.text);
    const [opened] = await store.openHandoffCases();
    expect(opened?.messages.map((message) => `${message.from}:${message.text}`)).toEqual([
      'citizen:我电话138****5678，工资被拖欠',
      'bot:答复',
      'citizen:转人工',
    ]);

    const again = await conversation.turn('web', 'web:a', { kind: 'text', text: '转人工' });
    expect(again.handoff?.status).toBe('already_open');
    expect(again.reply.text).toContain('已经在等待');
    expect(await store.openHandoffCases()).toHaveLength(1);
  });

  it('adds what the citizen says while waiting, and the bot’s answers, to the case', async () => {
    const { conversation, desk, store } = setup();
    desk.staffSeen('staff');
    await conversation.turn('web', 'web:a', { kind: 'text', text: '转人工' });
    await conversation.turn('web', 'web:a', { kind: 'text', text: '身份证110101199003071234' });
    await conversation.turn('web', 'web:other', { kind: 'text', text: '别的市民' });
    const [open] = await store.openHandoffCases();
    expect(open?.messages.slice(-2).map((message) => `${message.from}:${message.text}`)).toEqual(['citizen:身份证110***********1234', 'bot:答复']);
  });
});

describe('a case cannot grow without bound', () => {
  it('stops adding the citizen’s and bot’s lines at 200, but still takes staff replies', async () => {
    const { conversation, desk, store } = setup();
    desk.staffSeen('staff');
    await conversation.turn('web', 'web:a', { kind: 'text', text: '转人工' });
    for (let index = 0; index < 110; index += 1) await conversation.turn('web', 'web:a', { kind: 'text', text: `第${index}条` });
    const [open] = await store.openHandoffCases();
    expect(open?.messages).toHaveLength(201); // the request, then 100 turns of two lines
    await desk.reply(open!.id, 'staff', '您好');
    expect((await store.openHandoffCases())[0]?.messages.at(-1)?.text).toBe('您好');
  });
});

describe('staff replies reach the web chat', () => {
  async function openWebCase() {
    const context = setup();
    context.desk.staffSeen('staff');
    await context.conversation.turn('web', 'web:a', { kind: 'text', text: '转人工' });
    const [open] = await context.store.openHandoffCases();
    return { ...context, id: open!.id };
  }

  it('shows each reply once, masked, then the close once', async () => {
    const { desk, id } = await openWebCase();
    const first = await desk.updates('web:a', undefined);
    expect(first).toMatchObject({ handoff: { id, open: true }, messages: [] });

    await desk.reply(id, 'staff', '您好，请拨打13812345678联系我们窗口');
    const second = await desk.updates('web:a', first.after!);
    expect(second.messages.map((message) => message.text)).toEqual(['您好，请拨打138****5678联系我们窗口']);
    const nothingNew = await desk.updates('web:a', second.after!);
    expect(nothingNew.messages).toEqual([]);

    await desk.reply(id, 'staff', '还有别的问题吗？');
    await desk.close(id, 'staff');
    const closing = await desk.updates('web:a', nothingNew.after!);
    expect(closing.messages.map((message) => message.text)).toEqual(['还有别的问题吗？']);
    expect(closing.handoff).toMatchObject({ open: false, notice: expect.stringContaining('已结束本次人工咨询') });
    expect(await desk.updates('web:a', closing.after!)).toMatchObject({ handoff: null, messages: [] });
  });

  it('a page opened afresh sees the open case’s replies; another chat’s position reads nothing of it', async () => {
    const { desk, id } = await openWebCase();
    await desk.reply(id, 'staff', '您好');
    expect((await desk.updates('web:a', undefined)).messages.map((message) => message.text)).toEqual(['您好']);
    expect(await desk.updates('web:b', `${id}.0`)).toMatchObject({ handoff: null, messages: [] });
  });

  it('refuses an empty reply and a reply to a closed case', async () => {
    const { desk, id } = await openWebCase();
    await expect(desk.reply(id, 'staff', '   ')).rejects.toThrow(StateError);
    await desk.close(id, 'staff');
    await expect(desk.reply(id, 'staff', '您好')).rejects.toThrow('已经结束');
    await expect(desk.close(id, 'admin')).rejects.toThrow(StateError);
  });
});

describe('staff replies reach Telegram', () => {
  it('pushes the reply before storing it, and the close notice', async () => {
    const sent: { chatKey: string; notice: CitizenNotice }[] = [];
    const { conversation, desk, store } = setup({ telegramStaffGroup: true, notify: async (chatKey, notice) => void sent.push({ chatKey, notice }) });
    await conversation.turn('telegram', 'telegram:42', { kind: 'text', text: '转人工' });
    const [open] = await store.openHandoffCases();
    await desk.reply(open!.id, 'staff', '您好');
    await desk.close(open!.id, 'staff');
    expect(sent.map((item) => `${item.chatKey} ${item.notice.kind} ${item.notice.text.slice(0, 7)}`)).toEqual(['telegram:42 reply 您好', 'telegram:42 closed 工作人员已结束']);
    expect((await store.findHandoffCase(open!.id))?.messages.at(-1)).toMatchObject({ from: 'staff', text: '您好', by: 'staff' });
  });

  it('a reply Telegram refuses is not stored, and the staff member is told', async () => {
    const { conversation, desk, store } = setup({
      telegramStaffGroup: true,
      notify: async () => {
        throw new Error('403: bot was blocked by the user');
      },
    });
    await conversation.turn('telegram', 'telegram:42', { kind: 'text', text: '转人工' });
    const [open] = await store.openHandoffCases();
    await expect(desk.reply(open!.id, 'staff', '您好')).rejects.toThrow(DeliveryError);
    expect((await store.findHandoffCase(open!.id))?.messages.some((message) => message.from === 'staff')).toBe(false);
  });
});

describe('the 在线咨询 board', () => {
  it('lists open cases newest first with how long each citizen has waited for an answer', async () => {
    const { conversation, desk, later } = setup();
    desk.staffSeen('staff');
    await conversation.turn('web', 'web:first', { kind: 'text', text: '转人工' });
    later(10);
    desk.staffSeen('staff'); // the page keeps asking
    await conversation.turn('web', 'web:second', { kind: 'text', text: '转人工' });
    later(2);
    let board = await desk.board();
    expect(board.cases.map((item) => item.waitingMinutes)).toEqual([2, 12]);
    expect(board).toMatchObject({ hours: '周一至周五 08:30-17:30', staffOnline: ['staff'], web: 'available', telegram: null });
    expect(JSON.stringify(board)).not.toContain('web:first'); // the chat cookie is never shown

    await desk.reply(board.cases[1]!.id, 'staff', '您好');
    later(3);
    await conversation.turn('web', 'web:first', { kind: 'text', text: '还在吗' });
    later(1);
    board = await desk.board();
    expect(board.cases.map((item) => item.waitingMinutes)).toEqual([6, 1]); // waiting again since 还在吗
    await desk.reply(board.cases[1]!.id, 'staff', '在的');
    expect((await desk.board()).cases[1]?.waitingMinutes).toBeNull();
  });
});
