import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, SKIP_REASON, TEST_DATABASE_URL, type TestSchema } from '../support/postgres.ts';

/**
 * Two real bot processes (`src/main.ts`, as `npm start` runs it) on one PostgreSQL database and
 * one copy of intents/ and data/ (the "shared storage"): a web chat goes on in the other process
 * with its context, and a publish in one process's console is served by the other.
 */

interface Bot {
  url: string;
  logs: string[];
  child: ChildProcess;
}

const ADMIN = { user: 'admin', password: 'Scale-Out-Orchid-2026' };

if (!TEST_DATABASE_URL) {
  console.warn(`Two-process tests ${SKIP_REASON}`);
  describe.skip(`Two bot processes on one PostgreSQL — ${SKIP_REASON}`, () => {
    it('share chats and publishes', () => {});
  });
} else {
  let db: TestSchema;
  let root: string;
  const bots: Bot[] = [];

  async function startBot(name: string): Promise<Bot> {
    const url = new URL(db.url);
    url.searchParams.set('options', `-c search_path=${db.schema}`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? root,
        DATABASE_URL: url.toString(),
        DATABASE_POOL_SIZE: '3',
        PORT: '0',
        HOST: '127.0.0.1',
        INTENTS_DIR: path.join(root, 'intents'),
        DATA_DIR: path.join(root, 'data'),
        // Each process its own console draft and history; the runtime data is in PostgreSQL.
        RUNTIME_DIR: path.join(root, `runtime-${name}`),
        ADMIN_USER: ADMIN.user,
        ADMIN_PASSWORD: ADMIN.password,
        // The same secret everywhere: a console login works whichever process a request reaches.
        SESSION_SECRET: 'scale-out-test-secret',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => logs.push(...chunk.split('\n').filter(Boolean)));
    const started = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = /网页聊天和工作台 (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`bot ${name} exited with ${code}:\n${logs.join('\n')}`)));
    });
    const bot = { url: started, logs, child };
    bots.push(bot);
    return bot;
  }

  async function until(check: () => boolean | Promise<boolean>): Promise<void> {
    while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  async function login(bot: Bot): Promise<Record<string, string>> {
    const response = await fetch(`${bot.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ADMIN) });
    expect(response.status).toBe(200);
    const { csrf } = (await response.json()) as { csrf: string };
    return { Cookie: (response.headers.get('set-cookie') ?? '').split(';')[0]!, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' };
  }

  async function chat(bot: Bot, text: string, cookie?: string) {
    const response = await fetch(`${bot.url}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
      body: JSON.stringify({ text }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { reply: { intent: string; text: string } };
    return { ...body.reply, cookie: cookie ?? (response.headers.get('set-cookie') ?? '').split(';')[0]! };
  }

  beforeAll(async () => {
    db = await createTestSchema();
    root = await mkdtemp(path.join(tmpdir(), 'scale-out-'));
    await cp('intents', path.join(root, 'intents'), { recursive: true });
    await cp('data', path.join(root, 'data'), { recursive: true, filter: (source) => !source.includes('runtime') });
  }, 60_000);

  afterAll(async () => {
    for (const bot of bots) {
      const exited = new Promise((resolve) => bot.child.once('exit', resolve));
      if (bot.child.exitCode === null) bot.child.kill('SIGTERM');
      await exited;
    }
    await db?.drop();
    if (root) await rm(root, { recursive: true, force: true });
  }, 60_000);

  describe('two bot processes on one PostgreSQL', () => {
    let a: Bot;
    let b: Bot;
    beforeAll(async () => {
      // Started together: the migrations run once, the other process waits for them.
      [a, b] = await Promise.all([startBot('a'), startBot('b')]);
    }, 120_000);

    it('a web chat goes on in the other process with its context', async () => {
      const first = await chat(a, '法律援助怎么申请');
      expect(first.intent).toMatch(/^legal_aid\./);
      await chat(b, '要带什么材料', first.cookie);
      const { rows } = await db.pool(1).query<{ turns: number }>(`SELECT (state->>'turns')::int AS turns FROM ${db.schema}.sessions WHERE chat_key = $1`, [
        `web:${decodeURIComponent(first.cookie.split('=')[1]!)}`,
      ]);
      expect(rows[0]?.turns).toBe(2);
    });

    it('a publish in one process’s console is served by the other, which logs the version', async () => {
      const headers = await login(a);
      const question = '法律援助怎么申请';
      const asked = (await (await fetch(`${a.url}/api/staff/ask`, { method: 'POST', headers, body: JSON.stringify({ text: question }) })).json()) as {
        facts: { id: string }[];
      };
      const factId = asked.facts[0]!.id;
      const draft = (await (await fetch(`${a.url}/api/admin/draft`, { headers })).json()) as { facts: { item: { id: string; text: string }; revision: string }[] };
      const fact = draft.facts.find((entry) => entry.item.id === factId)!;
      const marker = '（本条已由管理员在另一进程更新）';
      const saved = await fetch(`${a.url}/api/admin/facts/${encodeURIComponent(factId)}`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ item: { ...fact.item, text: `${fact.item.text}${marker}` }, revision: fact.revision }),
      });
      expect(saved.status).toBe(200);
      expect((await fetch(`${a.url}/api/admin/publish`, { method: 'POST', headers })).status).toBe(200);

      await until(() => b.logs.some((line) => line.includes('knowledge reloaded after a publish in another process')));
      const reloaded = JSON.parse(b.logs.find((line) => line.includes('knowledge reloaded after a publish in another process'))!) as Record<string, unknown>;
      expect(reloaded).toMatchObject({ action: 'publish', version: 2 });
      expect((await chat(b, question)).text).toContain(marker);
      // The console session from process A is accepted by B (same SESSION_SECRET).
      expect((await fetch(`${b.url}/api/admin/draft`, { headers })).status).toBe(200);
    }, 180_000);
  });
}
