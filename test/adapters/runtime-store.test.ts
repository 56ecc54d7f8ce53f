import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntimeStore } from '../../src/adapters/runtime-store.ts';
import type { Exchange } from '../../src/admin/ports.ts';
import type { DialogueState } from '../../src/dialogue/types.ts';
import type { Logger } from '../../src/lib/logger.ts';

let dir: string;
let logged: { level: string; message: string; fields?: Record<string, unknown> }[];
const logger: Logger = {
  debug: () => {},
  info: (message, fields) => logged.push({ level: 'info', message, fields }),
  warn: (message, fields) => logged.push({ level: 'warn', message, fields }),
  error: (message, fields) => logged.push({ level: 'error', message, fields }),
};

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'runtime-store-'));
  logged = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function exchange(overrides: Partial<Exchange> = {}): Omit<Exchange, 'id'> {
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

const state = (updatedAt: string): DialogueState => ({ turns: 1, history: [], updatedAt, lastIntent: 'hotline.what_is' });

describe('runtime store', () => {
  it('starts with no runtime data and keeps state across a restart', async () => {
    const store = await createRuntimeStore({ dir, logger });
    expect(await store.getState('telegram:1')).toBeUndefined();
    await store.saveState('telegram:1', state('2024-05-01T08:00:00.000Z'));
    await store.saveHandoff(77, 'telegram:1');
    await store.flush();

    const reopened = await createRuntimeStore({ dir, logger });
    expect((await reopened.getState('telegram:1'))?.lastIntent).toBe('hotline.what_is');
    expect(await reopened.findHandoff(77)).toBe('telegram:1');
    expect(await reopened.findHandoff(78)).toBeUndefined();
  });

  it('stores exchanges in day files and finds one by id', async () => {
    const store = await createRuntimeStore({ dir, logger });
    const first = await store.recordExchange(exchange());
    const second = await store.recordExchange(exchange({ at: '2024-05-02T09:00:00.000Z', intent: 'none' }));
    expect(first.id).toMatch(/^20240501-/);
    expect(await store.findExchange(second.id)).toEqual(second);
    expect(await store.findExchange('20240501-ffff')).toBeUndefined();
    expect(await store.findExchange('garbage')).toBeUndefined();
    expect((await store.exchanges()).map((item) => item.id)).toEqual([first.id, second.id]);
    expect((await store.exchanges({ since: new Date('2024-05-02T00:00:00Z') })).map((item) => item.id)).toEqual([second.id]);
    expect((await readdir(path.join(dir, 'exchanges'))).sort()).toEqual(['2024-05-01.jsonl', '2024-05-02.jsonl']);
  });

  it('keeps every exchange when many are stored at once (grouped appends)', async () => {
    const store = await createRuntimeStore({ dir, logger });
    const stored = await Promise.all(Array.from({ length: 200 }, (_, index) => store.recordExchange(exchange({ text: `问题${index}` }))));
    const reopened = await createRuntimeStore({ dir, logger });
    const texts = (await reopened.exchanges()).map((item) => item.text);
    expect(texts).toHaveLength(200);
    expect(new Set(stored.map((item) => item.id)).size).toBe(200);
    expect(texts[199]).toBe('问题199');
  });

  it('records one vote per exchange and chat', async () => {
    const store = await createRuntimeStore({ dir, logger });
    const base = { exchangeId: 'x', at: '2024-05-01T08:00:00.000Z', chatKey: 'telegram:1', intent: 'a.b' };
    await store.recordFeedback({ ...base, value: 'up' });
    await store.recordFeedback({ ...base, value: 'down' });
    expect((await store.feedback()).map((item) => item.value)).toEqual(['down']);
  });

  it('forgets a chat: state, exchanges, feedback and handoffs, but not other chats', async () => {
    const store = await createRuntimeStore({ dir, logger });
    await store.saveState('telegram:1', state('2024-05-01T08:00:00.000Z'));
    await store.saveState('telegram:2', state('2024-05-01T08:00:00.000Z'));
    const mine = await store.recordExchange(exchange());
    const theirs = await store.recordExchange(exchange({ chatKey: 'telegram:2' }));
    await store.recordFeedback({ exchangeId: mine.id, at: mine.at, chatKey: 'telegram:1', value: 'up', intent: mine.intent });
    await store.saveHandoff(5, 'telegram:1');
    await store.setInboxStatus([mine.id, theirs.id], 'done');

    await store.forget('telegram:1');
    expect(await store.exchangesRemoved()).toBe(1); // what tells the inbox to reread
    const reopened = await createRuntimeStore({ dir, logger });
    expect(await reopened.getState('telegram:1')).toBeUndefined();
    expect(await reopened.getState('telegram:2')).toBeDefined();
    expect((await reopened.exchanges()).map((item) => item.id)).toEqual([theirs.id]);
    expect(await reopened.feedback()).toEqual([]);
    expect(await reopened.findHandoff(5)).toBeUndefined();
    expect(await reopened.inboxStatuses()).toEqual({ [theirs.id]: 'done' });
  });

  it('purges exchanges, feedback and sessions older than the retention period', async () => {
    const store = await createRuntimeStore({ dir, logger });
    await store.recordExchange(exchange({ at: '2024-01-01T08:00:00.000Z' }));
    const recent = await store.recordExchange(exchange({ at: '2024-05-01T08:00:00.000Z' }));
    await store.recordFeedback({ exchangeId: 'old', at: '2024-01-01T08:00:00.000Z', chatKey: 'c', value: 'up', intent: 'a.b' });
    await store.saveState('old', state('2024-01-01T08:00:00.000Z'));
    await store.saveState('new', state('2024-05-01T08:00:00.000Z'));

    const removed = await store.purgeOlderThan(30, new Date('2024-05-02T00:00:00Z'));
    expect(removed).toBe(2);
    expect(await store.exchangesRemoved()).toBe(1);
    expect((await store.exchanges()).map((item) => item.id)).toEqual([recent.id]);
    expect(await store.feedback()).toEqual([]);
    expect(await store.getState('old')).toBeUndefined();
    expect(await store.getState('new')).toBeDefined();
  });

  it('moves a corrupt state file aside, says so, and starts clean', async () => {
    await writeFile(path.join(dir, 'state.json'), '{"version":1, "sessions": {', 'utf8');
    const store = await createRuntimeStore({ dir, logger, now: () => new Date('2024-05-01T08:00:00Z') });
    expect(await store.getState('telegram:1')).toBeUndefined();
    const files = await readdir(dir);
    expect(files.some((name) => name.startsWith('state.json.corrupt-'))).toBe(true);
    expect(logged.some((entry) => entry.level === 'error' && String(entry.fields?.file).endsWith('state.json'))).toBe(true);
    await store.saveState('telegram:1', state('2024-05-01T08:00:00.000Z'));
    await store.flush();
    expect(JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')).sessions['telegram:1']).toBeDefined();
  });

  it('treats valid JSON of the wrong shape as corrupt too', async () => {
    await writeFile(path.join(dir, 'state.json'), '[1,2,3]', 'utf8');
    await createRuntimeStore({ dir, logger });
    expect((await readdir(dir)).some((name) => name.startsWith('state.json.corrupt-'))).toBe(true);
  });

  it('keeps the readable lines of a day file cut short by a crash', async () => {
    const first = await (await createRuntimeStore({ dir, logger })).recordExchange(exchange());
    const file = path.join(dir, 'exchanges', '2024-05-01.jsonl');
    await writeFile(file, `${await readFile(file, 'utf8')}{"id":"20240501-ab","at":"2024-05-0`, 'utf8');

    const store = await createRuntimeStore({ dir, logger });
    expect((await store.exchanges()).map((item) => item.id)).toEqual([first.id]);
    const second = await store.recordExchange(exchange());
    expect((await store.exchanges()).map((item) => item.id)).toEqual([first.id, second.id]);
    expect((await readdir(path.join(dir, 'exchanges'))).some((name) => name.includes('.corrupt-'))).toBe(true);
    expect(logged.some((entry) => entry.level === 'error')).toBe(true);
  });

  it('ignores unrelated files in the exchanges folder', async () => {
    await mkdir(path.join(dir, 'exchanges'), { recursive: true });
    await writeFile(path.join(dir, 'exchanges', 'notes.txt'), 'hello', 'utf8');
    const store = await createRuntimeStore({ dir, logger });
    expect(await store.exchanges()).toEqual([]);
  });
});

describe('runtime store retention on open', () => {
  it('purges old exchanges when opened with retentionDays', async () => {
    const first = await createRuntimeStore({ dir, logger });
    await first.recordExchange(exchange({ at: '2024-01-01T08:00:00.000Z' }));
    const recent = await first.recordExchange(exchange({ at: '2024-05-01T08:00:00.000Z' }));
    const store = await createRuntimeStore({ dir, logger, retentionDays: 30, now: () => new Date('2024-05-02T00:00:00Z') });
    expect((await store.exchanges()).map((item) => item.id)).toEqual([recent.id]);
  });
});

describe('runtime store start-up check of old day files', () => {
  it('repairs an old day file that was cut short, without reading intact ones in full', async () => {
    const first = await createRuntimeStore({ dir, logger });
    const kept = await first.recordExchange(exchange({ at: '2024-01-01T08:00:00.000Z' }));
    const file = path.join(dir, 'exchanges', '2024-01-01.jsonl');
    await writeFile(file, `${await readFile(file, 'utf8')}{"id":"2024`, 'utf8');
    const store = await createRuntimeStore({ dir, logger, now: () => new Date('2024-05-01T00:00:00Z') });
    expect((await store.exchanges()).map((item) => item.id)).toEqual([kept.id]);
    expect((await readdir(path.join(dir, 'exchanges'))).some((name) => name.startsWith('2024-01-01.jsonl.corrupt-'))).toBe(true);
  });
});
