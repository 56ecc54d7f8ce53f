import { describe, expect, it } from 'vitest';
import type { Exchange, HandoffCase, RuntimeStore } from '../../src/admin/ports.ts';
import type { DialogueState } from '../../src/dialogue/types.ts';

/**
 * What every RuntimeStore must do, whatever it keeps its data in. Each adapter's test file runs
 * this suite with a function that opens a fresh, empty store; `reopen` (when the adapter
 * persists) opens the same data again as a restarted process would.
 */
export interface ContractSubject {
  open(): Promise<RuntimeStore>;
  reopen?: () => Promise<RuntimeStore>;
}

export function exchange(overrides: Partial<Exchange> = {}): Omit<Exchange, 'id'> {
  return {
    at: '2024-05-01T08:00:00.000Z',
    channel: 'telegram',
    chatKey: 'telegram:1',
    text: '法律援助怎么申请',
    intent: 'legal_aid.how_to_apply',
    topic: 'legal_aid',
    confidence: 0.9,
    kind: 'answer',
    decidedBy: 'classifier',
    reply: '……',
    ...overrides,
  };
}

export function handoffCase(overrides: Partial<HandoffCase> = {}): Omit<HandoffCase, 'id'> {
  return {
    chatKey: 'web:abc',
    channel: 'web',
    openedAt: '2024-05-01T08:00:00.000Z',
    messages: [{ at: '2024-05-01T08:00:00.000Z', from: 'citizen', text: '转人工' }],
    ...overrides,
  };
}

const staffLine = (text: string, at = '2024-05-01T08:05:00.000Z') => ({ at, from: 'staff' as const, text, by: 'staff' });

export const state = (updatedAt: string, lastIntent = 'hotline.what_is'): DialogueState => ({ turns: 1, history: [], updatedAt, lastIntent });

export function storeContract(name: string, subject: ContractSubject): void {
  describe(`RuntimeStore contract: ${name}`, () => {
    it('keeps each chat’s state apart and returns what was saved', async () => {
      const store = await subject.open();
      expect(await store.getState('telegram:1')).toBeUndefined();
      await store.saveState('telegram:1', state('2024-05-01T08:00:00.000Z', 'a.one'));
      await store.saveState('web:abc', state('2024-05-01T08:00:00.000Z', 'b.two'));
      expect((await store.getState('telegram:1'))?.lastIntent).toBe('a.one');
      expect((await store.getState('web:abc'))?.lastIntent).toBe('b.two');
    });

    it('finds an exchange by id and lists them by time', async () => {
      const store = await subject.open();
      const first = await store.recordExchange(exchange());
      const second = await store.recordExchange(exchange({ at: '2024-05-02T09:00:00.000Z', intent: 'none' }));
      expect(first.id).not.toBe(second.id);
      expect(await store.findExchange(second.id)).toEqual(second);
      expect(await store.findExchange('garbage')).toBeUndefined();
      expect((await store.exchanges()).map((item) => item.id)).toEqual([first.id, second.id]);
      expect((await store.exchanges({ since: new Date('2024-05-02T00:00:00Z') })).map((item) => item.id)).toEqual([second.id]);
    });

    it('lists only the exchanges of a range: since inclusive, until exclusive, across days', async () => {
      const store = await subject.open();
      const ids: string[] = [];
      for (const at of ['2024-05-01T23:59:00.000Z', '2024-05-02T00:00:00.000Z', '2024-05-02T12:00:00.000Z', '2024-05-03T00:00:00.000Z', '2024-05-04T08:00:00.000Z']) {
        ids.push((await store.recordExchange(exchange({ at }))).id);
      }
      const range = (since: string, until: string) => store.exchanges({ since: new Date(since), until: new Date(until) }).then((list) => list.map((item) => item.id));
      expect(await range('2024-05-02T00:00:00Z', '2024-05-03T00:00:00Z')).toEqual([ids[1], ids[2]]);
      expect(await range('2024-05-01T12:00:00Z', '2024-05-02T06:00:00Z')).toEqual([ids[0], ids[1]]);
      expect((await store.exchanges({ until: new Date('2024-05-02T00:00:00Z') })).map((item) => item.id)).toEqual([ids[0]]);
    });

    it('remembers the chat’s latest exchange for /feedback', async () => {
      const store = await subject.open();
      const answered = await store.recordExchange(exchange());
      await store.saveState('telegram:1', state('2024-05-01T08:00:00.000Z'), answered.id);
      expect((await store.latestExchange('telegram:1'))?.id).toBe(answered.id);
      // A later save without an exchange (a button that stored none) keeps it.
      await store.saveState('telegram:1', state('2024-05-01T08:01:00.000Z'));
      expect((await store.latestExchange('telegram:1'))?.id).toBe(answered.id);
      expect(await store.latestExchange('telegram:2')).toBeUndefined();
    });

    it('records one vote per exchange and chat; a second click changes it', async () => {
      const store = await subject.open();
      const base = { exchangeId: 'x', at: '2024-05-01T08:00:00.000Z', chatKey: 'telegram:1', intent: 'a.b' };
      await store.recordFeedback({ ...base, value: 'up' });
      await store.recordFeedback({ ...base, value: 'down' });
      expect((await store.feedback()).map((item) => item.value)).toEqual(['down']);
    });

    it('forgets a chat: state, exchanges, feedback, handoffs and inbox statuses, but not other chats', async () => {
      const store = await subject.open();
      await store.saveState('telegram:1', state('2024-05-01T08:00:00.000Z'));
      await store.saveState('telegram:2', state('2024-05-01T08:00:00.000Z'));
      const mine = await store.recordExchange(exchange());
      const theirs = await store.recordExchange(exchange({ chatKey: 'telegram:2' }));
      await store.recordFeedback({ exchangeId: mine.id, at: mine.at, chatKey: 'telegram:1', value: 'up', intent: mine.intent });
      await store.saveHandoff(5, 'telegram:1');
      await store.setInboxStatus([mine.id, theirs.id], 'done');

      await store.forget('telegram:1');
      expect(await store.exchangesRemoved()).toBe(1); // what tells the inbox to reread
      const after = subject.reopen ? await subject.reopen() : store;
      expect(await after.getState('telegram:1')).toBeUndefined();
      expect(await after.getState('telegram:2')).toBeDefined();
      expect((await after.exchanges()).map((item) => item.id)).toEqual([theirs.id]);
      expect(await after.findExchange(mine.id)).toBeUndefined();
      expect(await after.findExchange(theirs.id)).toEqual(theirs);
      expect(await after.feedback()).toEqual([]);
      expect(await after.findHandoff(5)).toBeUndefined();
      expect(await after.inboxStatuses()).toEqual({ [theirs.id]: 'done' });
    });

    it('keeps a handoff case open with its messages in order, oldest case first', async () => {
      const store = await subject.open();
      const first = await store.openHandoffCase(handoffCase());
      const second = await store.openHandoffCase(handoffCase({ chatKey: 'telegram:7', channel: 'telegram', openedAt: '2024-05-01T09:00:00.000Z' }));
      expect(first.id).not.toBe(second.id);
      expect((await store.openHandoffCases()).map((item) => item.id)).toEqual([first.id, second.id]);

      await store.addHandoffMessages(first.id, [{ at: '2024-05-01T08:01:00.000Z', from: 'bot', text: '已为您转接人工' }]);
      const added = await store.addHandoffMessages(first.id, [staffLine('您好'), staffLine('请问是什么纠纷？', '2024-05-01T08:06:00.000Z')]);
      expect(added?.messages.map((message) => message.text)).toEqual(['转人工', '已为您转接人工', '您好', '请问是什么纠纷？']);
      expect(await store.findHandoffCase(first.id)).toEqual(added);
      expect(added?.messages[2]).toEqual(staffLine('您好'));
      expect(await store.addHandoffMessages('no-such-case', [staffLine('?')])).toBeUndefined();
      expect(await store.findHandoffCase('no-such-case')).toBeUndefined();
    });

    it('closes a handoff case once: it leaves the open list, is still found, and takes no more messages', async () => {
      const store = await subject.open();
      const opened = await store.openHandoffCase(handoffCase());
      await store.addHandoffMessages(opened.id, [staffLine('您好')]);
      const closed = await store.closeHandoffCase(opened.id, { at: '2024-05-01T08:10:00.000Z', by: 'staff' });
      expect(closed).toMatchObject({ id: opened.id, closedAt: '2024-05-01T08:10:00.000Z', closedBy: 'staff' });
      expect(closed?.messages).toHaveLength(2);
      expect(await store.openHandoffCases()).toEqual([]);
      expect(await store.closeHandoffCase(opened.id, { at: '2024-05-01T08:11:00.000Z', by: 'admin' })).toBeUndefined();
      expect(await store.addHandoffMessages(opened.id, [staffLine('迟到的回复')])).toBeUndefined();
      const after = subject.reopen ? await subject.reopen() : store;
      expect(await after.findHandoffCase(opened.id)).toEqual(closed);
    });

    it('forgets a chat’s handoff cases, open and closed, but not other chats’', async () => {
      const store = await subject.open();
      const closed = await store.openHandoffCase(handoffCase());
      await store.closeHandoffCase(closed.id, { at: '2024-05-01T08:10:00.000Z', by: 'staff' });
      const open = await store.openHandoffCase(handoffCase({ openedAt: '2024-05-01T08:20:00.000Z' }));
      const theirs = await store.openHandoffCase(handoffCase({ chatKey: 'web:other' }));
      await store.forget('web:abc');
      const after = subject.reopen ? await subject.reopen() : store;
      expect(await after.findHandoffCase(closed.id)).toBeUndefined();
      expect(await after.findHandoffCase(open.id)).toBeUndefined();
      expect((await after.openHandoffCases()).map((item) => item.id)).toEqual([theirs.id]);
    });

    it('purges handoff cases opened before the retention period', async () => {
      const store = await subject.open();
      const old = await store.openHandoffCase(handoffCase({ openedAt: '2024-01-01T08:00:00.000Z' }));
      await store.closeHandoffCase(old.id, { at: '2024-01-01T09:00:00.000Z', by: 'staff' });
      const stale = await store.openHandoffCase(handoffCase({ chatKey: 'web:stale', openedAt: '2024-01-02T08:00:00.000Z' }));
      const recent = await store.openHandoffCase(handoffCase({ chatKey: 'web:new', openedAt: '2024-05-01T08:00:00.000Z' }));
      await store.purgeOlderThan(30, new Date('2024-05-02T00:00:00Z'));
      expect(await store.findHandoffCase(old.id)).toBeUndefined();
      expect(await store.findHandoffCase(stale.id)).toBeUndefined();
      expect((await store.openHandoffCases()).map((item) => item.id)).toEqual([recent.id]);
    });

    it('purges exchanges and feedback older than the retention period', async () => {
      const store = await subject.open();
      await store.recordExchange(exchange({ at: '2024-01-01T08:00:00.000Z' }));
      const recent = await store.recordExchange(exchange({ at: '2024-05-01T08:00:00.000Z' }));
      await store.recordFeedback({ exchangeId: 'old', at: '2024-01-01T08:00:00.000Z', chatKey: 'c', value: 'up', intent: 'a.b' });
      const removed = await store.purgeOlderThan(30, new Date('2024-05-02T00:00:00Z'));
      expect(removed).toBe(2);
      expect(await store.exchangesRemoved()).toBe(1);
      expect((await store.exchanges()).map((item) => item.id)).toEqual([recent.id]);
      expect(await store.feedback()).toEqual([]);
    });

    if (subject.reopen) {
      it('keeps everything acknowledged across a restart without a flush', async () => {
        const store = await subject.open();
        await store.saveState('telegram:1', state('2024-05-01T08:00:00.000Z'));
        const stored = await store.recordExchange(exchange());
        await store.recordFeedback({ exchangeId: stored.id, at: stored.at, chatKey: 'telegram:1', value: 'down', intent: stored.intent });
        await store.setInboxStatus([stored.id], 'ignored');
        await store.saveHandoff(77, 'telegram:1');
        const open = await store.openHandoffCase(handoffCase());
        await store.addHandoffMessages(open.id, [staffLine('您好')]);
        const closed = await store.openHandoffCase(handoffCase({ chatKey: 'web:two' }));
        await store.closeHandoffCase(closed.id, { at: '2024-05-01T08:10:00.000Z', by: 'staff' });
        // No flush(): a process killed right after the acknowledgement.
        const reopened = await subject.reopen!();
        expect((await reopened.getState('telegram:1'))?.lastIntent).toBe('hotline.what_is');
        expect(await reopened.findExchange(stored.id)).toEqual(stored);
        expect((await reopened.feedback()).map((item) => item.value)).toEqual(['down']);
        expect(await reopened.inboxStatuses()).toEqual({ [stored.id]: 'ignored' });
        expect(await reopened.findHandoff(77)).toBe('telegram:1');
        expect((await reopened.openHandoffCases()).map((item) => item.messages.length)).toEqual([2]);
        expect((await reopened.findHandoffCase(closed.id))?.closedBy).toBe('staff');
      });

      it('keeps every exchange when many are stored at once', async () => {
        const store = await subject.open();
        const stored = await Promise.all(Array.from({ length: 200 }, (_, index) => store.recordExchange(exchange({ text: `问题${index}` }))));
        const reopened = await subject.reopen!();
        const texts = (await reopened.exchanges()).map((item) => item.text);
        expect(texts).toHaveLength(200);
        expect(new Set(stored.map((item) => item.id)).size).toBe(200);
        // Same time, different connections or processes: the order among them is not part of
        // the contract (one chat's turns never overlap), only that every one is kept.
        expect(new Set(texts)).toEqual(new Set(stored.map((item) => item.text)));
        for (const item of stored.slice(0, 20)) expect(await reopened.findExchange(item.id)).toEqual(item);
      });
    }
  });
}
