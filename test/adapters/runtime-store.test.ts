import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntimeStore } from '../../src/adapters/runtime-store.ts';
import { FolderLockedError } from '../../src/adapters/runtime/folder-lock.ts';
import type { RuntimeStore } from '../../src/admin/ports.ts';
import type { Logger } from '../../src/lib/logger.ts';
import { createMemoryStore } from '../fakes/memory-store.ts';
import { exchange, handoffCase, state, storeContract } from './store-contract.ts';

let dir: string;
let logged: { level: string; message: string; fields?: Record<string, unknown> }[];
const logger: Logger = {
  debug: () => {},
  info: (message, fields) => logged.push({ level: 'info', message, fields }),
  warn: (message, fields) => logged.push({ level: 'warn', message, fields }),
  error: (message, fields) => logged.push({ level: 'error', message, fields }),
};
const opened: RuntimeStore[] = [];
const open = async (extra: Partial<Parameters<typeof createRuntimeStore>[0]> = {}) => {
  const store = await createRuntimeStore({ dir, logger, ...extra });
  opened.push(store);
  return store;
};

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'runtime-store-'));
  logged = [];
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  await rm(dir, { recursive: true, force: true });
});

storeContract('embedded files', { open: () => open(), reopen: () => open() });
storeContract('in-memory test double', { open: async () => createMemoryStore() });

const sessionFile = (chatKey: string) => {
  const hash = createHash('sha256').update(chatKey).digest('hex').slice(0, 32);
  return path.join(dir, 'sessions', hash.slice(0, 2), `${hash}.json`);
};

describe('embedded store: shapes on disk', () => {
  it('keeps one small file per chat, so saving one chat never rewrites the others', async () => {
    const store = await open();
    for (let index = 0; index < 50; index += 1) await store.saveState(`web:${index}`, state('2024-05-01T08:00:00.000Z'));
    const before = await readFile(sessionFile('web:1'), 'utf8');
    await store.saveState('web:2', state('2024-05-01T09:00:00.000Z', 'changed.one'));
    expect(await readFile(sessionFile('web:1'), 'utf8')).toBe(before);
    expect(JSON.parse(await readFile(sessionFile('web:2'), 'utf8')).state.lastIntent).toBe('changed.one');
  });

  it('lists exchanges stored at once in the order they were stored (one writer appends in call order)', async () => {
    const store = await open();
    await Promise.all(Array.from({ length: 50 }, (_, index) => store.recordExchange(exchange({ text: `问题${index}` }))));
    expect((await (await open()).exchanges()).map((item) => item.text)).toEqual(Array.from({ length: 50 }, (_, index) => `问题${index}`));
  });

  it('expires sessions silent for longer than the context TTL, and only those', async () => {
    const store = await open({ sessionTtlMinutes: 30 });
    await store.saveState('web:old', state('2024-05-01T08:00:00.000Z'));
    await store.saveState('web:new', state('2024-05-01T08:00:00.000Z'));
    const hourAgo = new Date(Date.now() - 60 * 60_000);
    await utimes(sessionFile('web:old'), hourAgo, hourAgo);
    expect(await store.expireSessions()).toBe(1);
    expect(await store.getState('web:old')).toBeUndefined();
    expect(await store.getState('web:new')).toBeDefined();
  });

  it('stores exchanges in day files and finds one by its id with one read, after other chats were forgotten', async () => {
    const store = await open();
    const gone = await store.recordExchange(exchange({ chatKey: 'web:gone' }));
    const kept = await store.recordExchange(exchange({ chatKey: 'web:kept', text: '我的问题' }));
    await store.forget('web:gone');
    expect(await store.findExchange(kept.id)).toEqual(kept);
    expect(await store.findExchange(gone.id)).toBeUndefined();
    expect((await readdir(path.join(dir, 'exchanges'))).sort()).toEqual(['2024-05-01.jsonl']);
    // The forgotten message is gone from the file itself, not just hidden.
    expect(await readFile(path.join(dir, 'exchanges', '2024-05-01.jsonl'), 'utf8')).not.toContain('web:gone');
  });

  it('finds exchanges stored under the older id form (day + random)', async () => {
    await mkdir(path.join(dir, 'exchanges'), { recursive: true });
    const old = { id: '20240501-ab12cd34ef', ...exchange() };
    await writeFile(path.join(dir, 'exchanges', '2024-05-01.jsonl'), `${JSON.stringify(old)}\n`);
    const store = await open();
    expect(await store.findExchange(old.id)).toEqual(old);
  });

  it('moves the earlier single state.json into the new shapes and keeps the old file', async () => {
    const fresh = new Date().toISOString();
    await writeFile(
      path.join(dir, 'state.json'),
      JSON.stringify({
        version: 1,
        sessions: { 'telegram:1': state(fresh) },
        feedback: [{ exchangeId: 'x', at: '2024-05-01T08:00:00.000Z', chatKey: 'telegram:1', value: 'up', intent: 'a.b' }],
        inbox: { '20240501-ab': 'done' },
        handoffs: { '12': { chatKey: 'telegram:1', at: fresh } },
      }),
    );
    const store = await open();
    expect((await store.getState('telegram:1'))?.lastIntent).toBe('hotline.what_is');
    expect((await store.feedback()).map((item) => item.exchangeId)).toEqual(['x']);
    expect(await store.inboxStatuses()).toEqual({ '20240501-ab': 'done' });
    expect(await store.findHandoff(12)).toBe('telegram:1');
    expect((await readdir(dir)).some((name) => name.startsWith('state.json.migrated-'))).toBe(true);
  });

  it('keeps open handoff cases in documents.json and moves a closed one to the day log of its closing', async () => {
    const store = await open();
    const opened = await store.openHandoffCase(handoffCase());
    const documents = async () => JSON.parse(await readFile(path.join(dir, 'documents.json'), 'utf8'));
    expect(Object.keys((await documents()).cases)).toEqual([opened.id]);
    await store.closeHandoffCase(opened.id, { at: '2024-05-02T08:00:00.000Z', by: 'staff' });
    expect((await documents()).cases).toEqual({});
    const logged = (await readFile(path.join(dir, 'handoffs', '2024-05-02.jsonl'), 'utf8')).trim().split('\n');
    expect(logged.map((line) => JSON.parse(line).id)).toEqual([opened.id]);
  });

  it('finishes a close cut short by a killed process: the case stays closed and is logged once', async () => {
    const closedCase = (id: string) => ({ ...handoffCase(), id, closedAt: '2024-05-02T08:00:00.000Z', closedBy: 'staff' });
    // One killed after marking the case closed, one after also logging it.
    await mkdir(path.join(dir, 'handoffs'), { recursive: true });
    await writeFile(path.join(dir, 'handoffs', '2024-05-02.jsonl'), `${JSON.stringify(closedCase('20240501-bbbbbbbbbb'))}\n`);
    await writeFile(
      path.join(dir, 'documents.json'),
      JSON.stringify({ version: 2, inbox: {}, handoffs: {}, cases: { '20240501-aaaaaaaaaa': closedCase('20240501-aaaaaaaaaa'), '20240501-bbbbbbbbbb': closedCase('20240501-bbbbbbbbbb') } }),
    );
    const store = await open();
    expect(await store.openHandoffCases()).toEqual([]);
    expect((await store.findHandoffCase('20240501-aaaaaaaaaa'))?.closedBy).toBe('staff');
    const logged = (await readFile(path.join(dir, 'handoffs', '2024-05-02.jsonl'), 'utf8')).trim().split('\n');
    expect(logged.map((line) => JSON.parse(line).id).sort()).toEqual(['20240501-aaaaaaaaaa', '20240501-bbbbbbbbbb']);
    expect(JSON.parse(await readFile(path.join(dir, 'documents.json'), 'utf8')).cases).toEqual({});
  });

  it('reads a documents.json written before handoff cases existed', async () => {
    await writeFile(path.join(dir, 'documents.json'), JSON.stringify({ version: 2, inbox: { '20240501-ab': 'done' }, handoffs: {} }));
    const store = await open();
    expect(await store.inboxStatuses()).toEqual({ '20240501-ab': 'done' });
    expect(await store.openHandoffCases()).toEqual([]);
    await store.openHandoffCase(handoffCase());
    expect(await store.openHandoffCases()).toHaveLength(1);
  });
});

describe('embedded store: faults', () => {
  it('moves a corrupt state.json aside, says so, and starts clean', async () => {
    await writeFile(path.join(dir, 'state.json'), '{"version":1, "sessions": {', 'utf8');
    const store = await open({ now: () => new Date('2024-05-01T08:00:00Z') });
    expect(await store.getState('telegram:1')).toBeUndefined();
    expect((await readdir(dir)).some((name) => name.startsWith('state.json.corrupt-'))).toBe(true);
    expect(logged.some((entry) => entry.level === 'error' && String(entry.fields?.file).endsWith('state.json'))).toBe(true);
  });

  it('a corrupt session file costs only its own chat', async () => {
    const store = await open();
    await store.saveState('web:a', state('2024-05-01T08:00:00.000Z'));
    await store.saveState('web:b', state('2024-05-01T08:00:00.000Z'));
    await writeFile(sessionFile('web:a'), '{"chatKey":"web:a","sta', 'utf8');
    expect(await store.getState('web:a')).toBeUndefined();
    expect(await store.getState('web:b')).toBeDefined();
    expect((await readdir(path.dirname(sessionFile('web:a')))).some((name) => name.includes('.corrupt-'))).toBe(true);
    expect(logged.some((entry) => entry.level === 'error' && entry.message.includes('session file is corrupt'))).toBe(true);
  });

  it('a session file that cannot be read is reported as an error, not treated as corrupt and dropped', async () => {
    const store = await open();
    await store.saveState('web:a', state('2024-05-01T08:00:00.000Z'));
    // A directory where the file should be: reading fails with EISDIR (chmod does not bind root).
    await rm(sessionFile('web:a'));
    await mkdir(sessionFile('web:a'));
    await expect(store.getState('web:a')).rejects.toThrow(/EISDIR/);
    expect((await readdir(path.dirname(sessionFile('web:a')))).some((name) => name.includes('.corrupt-'))).toBe(false);
  });

  it('a corrupt documents file is moved aside; an unreadable one stops the start', async () => {
    await writeFile(path.join(dir, 'documents.json'), '[1,2,3]', 'utf8');
    await (await open()).close();
    expect((await readdir(dir)).some((name) => name.startsWith('documents.json.corrupt-'))).toBe(true);
    await rm(path.join(dir, 'documents.json'), { force: true });
    await mkdir(path.join(dir, 'documents.json'));
    await expect(createRuntimeStore({ dir, logger })).rejects.toThrow(/EISDIR/);
  });

  it('keeps the readable lines of a day file cut short by a crash, and ids stay valid', async () => {
    const first = await (await open()).recordExchange(exchange());
    const file = path.join(dir, 'exchanges', '2024-05-01.jsonl');
    await writeFile(file, `${await readFile(file, 'utf8')}{"id":"20240501-ab","at":"2024-05-0`, 'utf8');

    const store = await open();
    expect((await store.exchanges()).map((item) => item.id)).toEqual([first.id]);
    const second = await store.recordExchange(exchange());
    expect((await store.exchanges()).map((item) => item.id)).toEqual([first.id, second.id]);
    expect(await store.findExchange(second.id)).toEqual(second);
    expect((await readdir(path.join(dir, 'exchanges'))).some((name) => name.includes('.corrupt-'))).toBe(true);
    expect(logged.some((entry) => entry.level === 'error')).toBe(true);
  });

  it('repairs an old day file that was cut short, without reading intact ones in full', async () => {
    const first = await open();
    const kept = await first.recordExchange(exchange({ at: '2024-01-01T08:00:00.000Z' }));
    const file = path.join(dir, 'exchanges', '2024-01-01.jsonl');
    await writeFile(file, `${await readFile(file, 'utf8')}{"id":"2024`, 'utf8');
    const store = await open({ now: () => new Date('2024-05-01T00:00:00Z') });
    expect((await store.exchanges()).map((item) => item.id)).toEqual([kept.id]);
    expect((await readdir(path.join(dir, 'exchanges'))).some((name) => name.startsWith('2024-01-01.jsonl.corrupt-'))).toBe(true);
  });

  it('removes temp files left by a killed write at start-up', async () => {
    await mkdir(path.join(dir, 'sessions', 'ab'), { recursive: true });
    await writeFile(path.join(dir, 'sessions', 'ab', 'x.json.tmp-123-deadbeef'), '{"half', 'utf8');
    await writeFile(path.join(dir, 'documents.json.tmp-9-0123abcd'), '{', 'utf8');
    await open();
    expect(await readdir(path.join(dir, 'sessions', 'ab'))).toEqual([]);
    expect((await readdir(dir)).some((name) => name.includes('.tmp-'))).toBe(false);
  });

  it('a write the disk refuses is reported to the caller (nothing acknowledged), and the next one works', async () => {
    const store = await open();
    // A folder where today's log file should be: every append fails, as on a full or broken disk.
    await mkdir(path.join(dir, 'exchanges', '2024-05-01.jsonl'), { recursive: true });
    await expect(store.recordExchange(exchange())).rejects.toThrow(/EISDIR/);
    await expect(store.recordFeedback({ exchangeId: 'x', at: '2024-05-01T08:00:00.000Z', chatKey: 'c', value: 'up', intent: 'a.b' })).resolves.toBeUndefined();
    await rm(path.join(dir, 'exchanges', '2024-05-01.jsonl'), { recursive: true });
    const stored = await store.recordExchange(exchange());
    expect(await store.findExchange(stored.id)).toEqual(stored);
  });

  it('ignores unrelated files in the exchanges folder', async () => {
    await mkdir(path.join(dir, 'exchanges'), { recursive: true });
    await writeFile(path.join(dir, 'exchanges', 'notes.txt'), 'hello', 'utf8');
    expect(await (await open()).exchanges()).toEqual([]);
  });
});

describe('embedded store: one process per folder', () => {
  it('refuses a second process with a message naming the holder', async () => {
    await open(); // this test process holds the folder
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, RUNTIME_DIR: dir, PORT: '0', LOG_LEVEL: 'silent', BOT_TOKEN: '', ADMIN_PASSWORD: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain(`运行数据目录 ${dir} 正被另一个进程使用（pid ${process.pid}`);
  }, 70_000);

  it('refuses a live holder on this machine and takes over a lock whose process is gone', async () => {
    await writeFile(path.join(dir, '.lock'), JSON.stringify({ pid: 1, host: hostname(), since: '2024-05-01T00:00:00Z' }));
    await expect(createRuntimeStore({ dir, logger })).rejects.toBeInstanceOf(FolderLockedError);
    await writeFile(path.join(dir, '.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: '2024-05-01T00:00:00Z' }));
    const store = await open();
    expect(JSON.parse(await readFile(path.join(dir, '.lock'), 'utf8')).pid).toBe(process.pid);
    await store.close();
    expect((await readdir(dir)).includes('.lock')).toBe(false);
  });

  it('from another host (a re-created container) a lock counts while its heartbeat is fresh, and is taken over when it stopped', async () => {
    const fresh = new Date().toISOString();
    await writeFile(path.join(dir, '.lock'), JSON.stringify({ pid: 7, host: 'old-container', since: fresh, beat: fresh }));
    await expect(createRuntimeStore({ dir, logger })).rejects.toThrow(/pid 7，主机 old-container/);
    const stale = new Date(Date.now() - 5 * 60_000).toISOString();
    await writeFile(path.join(dir, '.lock'), JSON.stringify({ pid: 7, host: 'old-container', since: stale, beat: stale }));
    await open();
    expect(JSON.parse(await readFile(path.join(dir, '.lock'), 'utf8')).host).toBe(hostname());
  });
});

describe('embedded store retention on open', () => {
  it('purges old exchanges when opened with retentionDays', async () => {
    const first = await open();
    await first.recordExchange(exchange({ at: '2024-01-01T08:00:00.000Z' }));
    const recent = await first.recordExchange(exchange({ at: '2024-05-01T08:00:00.000Z' }));
    const store = await open({ retentionDays: 30, now: () => new Date('2024-05-02T00:00:00Z') });
    expect((await store.exchanges()).map((item) => item.id)).toEqual([recent.id]);
  });
});
