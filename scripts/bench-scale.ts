/**
 * npm run bench -- --scale [--json]
 *
 * The bot as 1 and as 4 webhook processes behind one port (Node's cluster module: the primary
 * accepts each connection and hands it to a worker in turn), all on one PostgreSQL database,
 * replying through the Bot API emulator (telegram-test-api). Reports, never asserts:
 * - throughput of 1 vs 4 processes with 500 users (BENCH_SCALE_USERS) sending 6 questions each
 *   (BENCH_SCALE_ROUNDS), and the ratio;
 * - the citizen's wait per message (the webhook round trip: the bot replies before it answers
 *   Telegram), p50 and p99;
 * - lost and duplicated replies, with 1 update in 25 delivered twice at once;
 * - a run with 4 processes where one is killed (SIGKILL) mid-run: its chats go on in the others,
 *   and every acknowledged message is stored, with its context;
 * - the cost of storing one exchange with 1,000,000 rows in the table.
 *
 * Why the bench posts the updates itself: telegram-test-api can call a webhook, but it sends no
 * secret header (the bot refuses such calls, 401), numbers concurrent updates from one shared
 * counter read before an await (so 500 users at once get repeated update ids) and never re-sends
 * a failed call. Here the emulator serves the Bot API the bot calls (getMe, setWebhook,
 * sendMessage …) and records every reply; the bench is Telegram's side of the webhook.
 *
 * PostgreSQL: DATABASE_URL, else TEST_DATABASE_URL, else a throwaway server started with
 * scripts/test-postgres.sh (root + apt, or PostgreSQL installed). Each run uses its own schema.
 * BENCH_SCALE_PROFILE=1 writes each bot process's CPU profile to /tmp/bench-prof.
 */
import { execFileSync } from 'node:child_process';
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { createPool } from '../src/adapters/postgres/connect.ts';
import { maskPersonalNumbers } from '../src/dialogue/mask.ts';
import { createLogger } from '../src/lib/logger.ts';
import { benchPostgresStore, type PostgresStoreBench } from './bench-postgres-store.ts';
import { countReplies, type Delivery, percentile, runLoad } from './bench-scale-load.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOKEN = '123456:BENCH-scale_token';
const SECRET = 'bench-scale-secret';
const USERS = Number(process.env.BENCH_SCALE_USERS ?? 500);
const ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS ?? 6);
const DUPLICATE_EVERY = 25;
const PREFILL = Number(process.env.BENCH_SCALE_PREFILL ?? 1_000_000);

interface RunResult {
  processes: number;
  updates: number;
  seconds: number;
  perSecond: number;
  waitMs: { p50: number; p99: number; max: number };
  lost: number;
  duplicated: number;
  unacknowledged: number;
  /** Acknowledged messages with no stored exchange / stored more than once. */
  exchanges: { missing: number; storedTwice: number };
  /** Chats whose context does not count every stored turn (a turn lost or interleaved). */
  contextBroken: number;
  kill?: { afterUpdates: number; retriedUpdates: number; retriedChats: number; laterAnswered: number; retriedAnswered: number };
}

export async function runScaleBench(options: { json: boolean }): Promise<void> {
  const database = await databaseUrl();
  const emulator = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 3600 });
  await emulator.start();
  const texts = questionTexts();
  const poolSize = await poolSizeFor(database.url);
  const say = (line: string) => {
    if (!options.json) console.log(line);
  };
  try {
    say(
      `PostgreSQL ${database.label}，每进程每个连接池 ${poolSize} 个连接；${USERS} 个用户 × ${ROUNDS} 条消息，每 ${DUPLICATE_EVERY} 条有一条同时投递两次；` +
        `机器 ${cpus().length} 核，开始时负载 ${loadavg()[0]!.toFixed(1)}`,
    );
    const one = await run(1, { database: database.url, emulator, texts, poolSize });
    say(describe(one));
    const four = await run(4, { database: database.url, emulator, texts, poolSize });
    say(describe(four));
    const killed = await run(4, { database: database.url, emulator, texts, poolSize, killOneAt: 0.4 });
    say(describe(killed));
    say(`吞吐比（4 进程 / 1 进程）：${(four.perSecond / one.perSecond).toFixed(2)}`);
    say(`存储一条对话记录：正在写入 ${PREFILL.toLocaleString('en')} 行…`);
    const store = await benchPostgresStore(database.url, { prefill: PREFILL });
    say(describeStore(store));
    if (options.json) {
      console.log(JSON.stringify({ users: USERS, rounds: ROUNDS, cores: cpus().length, poolSize, runs: [one, four, killed], ratio: four.perSecond / one.perSecond, store }, null, 2));
    }
  } finally {
    await emulator.stop();
    database.stop();
  }
}

function describe(result: RunResult): string {
  const head = `${result.processes} 个进程${result.kill ? '（中途杀掉 1 个）' : ''}：${result.updates} 条消息 ${result.seconds.toFixed(1)} 秒，${result.perSecond.toFixed(0)} 条/秒；`;
  const wait = `等待回复 p50 ${result.waitMs.p50} ms，p99 ${result.waitMs.p99} ms，最长 ${result.waitMs.max} ms；`;
  const replies = `丢失回复 ${result.lost}，重复回复 ${result.duplicated}，未被确认 ${result.unacknowledged}；`;
  const stored = `已确认但未存储 ${result.exchanges.missing}，存了两次 ${result.exchanges.storedTwice}，上下文断了的对话 ${result.contextBroken}`;
  const kill = result.kill
    ? `\n  杀掉时已完成 ${result.kill.afterUpdates} 条；正在被杀进程处理、由 Telegram 式重发交给其他进程的消息 ${result.kill.retriedUpdates} 条（${result.kill.retriedChats} 个对话），其中得到回复 ${result.kill.retriedAnswered} 条；这些对话之后的消息得到回复 ${result.kill.laterAnswered} 条`
    : '';
  return head + wait + replies + stored + kill;
}

function describeStore(store: PostgresStoreBench): string {
  const cost = (c: PostgresStoreBench['full']) => `平均 ${c.meanMs} ms，p50 ${c.p50Ms} ms，p99 ${c.p99Ms} ms`;
  return (
    `存储一条对话记录（PostgreSQL ${store.server.version}，fsync=${store.server.fsync}，synchronous_commit=${store.server.synchronousCommit}）：` +
    `空表 ${cost(store.empty)}；已有 ${store.prefilled.toLocaleString('en')} 行（表和索引 ${store.tableMiB} MiB，写入用了 ${store.prefillSeconds} 秒）${cost(store.full)}`
  );
}

// === one run

async function run(
  processes: number,
  setup: { database: string; emulator: TelegramServer; texts: string[]; poolSize: number; killOneAt?: number },
): Promise<RunResult> {
  const schema = `bench_scale_${processes}_${randomBytes(3).toString('hex')}`;
  const logger = createLogger('silent');
  const admin = createPool({ url: setup.database, logger, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(setup.database);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const runtime = await mkdtemp(path.join(tmpdir(), 'bench-scale-'));
  const port = await freePort();
  setup.emulator.storage.botMessages = [];
  const workers: Worker[] = [];
  try {
    for (let index = 0; index < processes; index += 1) {
      workers.push(
        await startWorker({
          DATABASE_URL: url.toString(),
          DATABASE_POOL_SIZE: String(setup.poolSize),
          PORT: String(port),
          HOST: '127.0.0.1',
          RUNTIME_DIR: path.join(runtime, String(index)),
          BOT_TOKEN: TOKEN,
          TELEGRAM_API_ROOT: setup.emulator.config.apiURL,
          WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
          WEBHOOK_SECRET: SECRET,
          // Per-user flood control would refuse a simulated user's quick questions.
          FLOOD_MAX_MESSAGES: '100000',
          ADMIN_PASSWORD: 'Bench-Scale-Orchid-2026',
          LOG_LEVEL: 'error',
        }),
      );
    }
    // Warm-up, not measured: the first messages of a fresh process pay for compiling the code
    // paths and opening connections.
    await runLoad({ port, secret: SECRET, users: 20 * processes, rounds: 3, texts: setup.texts, duplicateEvery: 0, firstUpdateId: 10_000_000, firstChatId: 900_000 });
    setup.emulator.storage.botMessages = [];
    let killedAt: number | undefined;
    const { deliveries, seconds } = await runLoad({
      port,
      secret: SECRET,
      users: USERS,
      rounds: ROUNDS,
      texts: setup.texts,
      duplicateEvery: DUPLICATE_EVERY,
      onProgress(done, total) {
        if (setup.killOneAt !== undefined && killedAt === undefined && done >= total * setup.killOneAt) {
          killedAt = done;
          workers[0]!.process.kill('SIGKILL');
        }
      },
    });
    const botMessages = (setup.emulator.storage.botMessages as unknown as { time: number; botToken: string; message: { chat_id: number | string; text: string } }[])
      .filter((item) => item.botToken === TOKEN)
      .map((item) => ({ time: item.time, chatId: Number(item.message.chat_id), text: item.message.text }));
    const replies = countReplies(deliveries, botMessages);
    const stored = await checkStored(admin, schema, deliveries);
    const waits = deliveries.filter((item) => item.acknowledged).map((item) => item.end - item.start).sort((a, b) => a - b);
    const result: RunResult = {
      processes,
      updates: deliveries.length,
      seconds: Math.round(seconds * 10) / 10,
      perSecond: deliveries.length / seconds,
      waitMs: { p50: percentile(waits, 50), p99: percentile(waits, 99), max: waits.at(-1) ?? 0 },
      ...replies,
      exchanges: { missing: stored.missing, storedTwice: stored.storedTwice },
      contextBroken: stored.contextBroken,
    };
    if (killedAt !== undefined) result.kill = killReport(killedAt, deliveries, botMessages);
    return result;
  } finally {
    await Promise.all(workers.map((worker) => stopWorker(worker)));
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    await rm(runtime, { recursive: true, force: true });
  }
}

/** Every acknowledged message stored exactly once, and each chat's context counting them all. */
async function checkStored(admin: ReturnType<typeof createPool>, schema: string, deliveries: Delivery[]) {
  const { rows } = await admin.query<{ chat_key: string; text: string; n: number }>(
    `SELECT chat_key, text, count(*)::int AS n FROM ${schema}.exchanges GROUP BY chat_key, text`,
  );
  const counts = new Map(rows.map((row) => [`${row.chat_key}\u0000${row.text}`, row.n]));
  let missing = 0;
  let storedTwice = 0;
  for (const delivery of deliveries.filter((item) => item.acknowledged)) {
    const n = counts.get(`telegram:${delivery.chatId}\u0000${delivery.text}`) ?? 0;
    if (n === 0) missing += 1;
    if (n > 1) storedTwice += 1;
  }
  const chats = [...new Set(deliveries.map((item) => `telegram:${item.chatId}`))];
  const sessions = await admin.query<{ chat_key: string; turns: number; stored: number }>(
    `SELECT s.chat_key, (s.state->>'turns')::int AS turns, (SELECT count(*)::int FROM ${schema}.exchanges e WHERE e.chat_key = s.chat_key) AS stored
     FROM ${schema}.sessions s WHERE s.chat_key = ANY($1)`,
    [chats],
  );
  const contextBroken = sessions.rows.filter((row) => row.turns !== row.stored).length;
  return { missing, storedTwice, contextBroken };
}

/**
 * The updates that failed at least once after the kill were in flight at (or sent to) the killed
 * process; Telegram-style re-sending took them to the others. Their chats' later messages show
 * the chats went on.
 */
function killReport(afterUpdates: number, deliveries: Delivery[], botMessages: { time: number; chatId: number }[]) {
  const retried = deliveries.filter((item) => item.failures > 0);
  const chats = new Set(retried.map((item) => item.chatId));
  const answered = (item: Delivery) => botMessages.some((message) => message.chatId === item.chatId && message.time >= item.start && message.time <= item.end);
  const later = deliveries.filter((item) => chats.has(item.chatId) && retried.some((failed) => failed.chatId === item.chatId && item.start > failed.end));
  return {
    afterUpdates,
    retriedUpdates: retried.length,
    retriedChats: chats.size,
    retriedAnswered: retried.filter(answered).length,
    laterAnswered: later.filter(answered).length,
  };
}

// === processes

const profiling = process.env.BENCH_SCALE_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/bench-prof'] : [];

function startWorker(env: Record<string, string>): Promise<Worker> {
  cluster.setupPrimary({ exec: path.join(ROOT, 'src/main.ts'), execArgv: ['--import', 'tsx', ...profiling], silent: true });
  const worker = cluster.fork(env);
  const errors: string[] = [];
  worker.process.stderr?.setEncoding('utf8').on('data', (chunk: string) => errors.push(chunk));
  return new Promise((resolve, reject) => {
    let out = '';
    worker.process.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      // Ready once the webhook is registered; before that the webhook answers 404.
      if (out.includes('Telegram 渠道已启用')) resolve(worker);
    });
    worker.once('exit', (code) => reject(new Error(`bot process exited with ${code} before it was ready:\n${errors.join('').slice(-3000)}`)));
  });
}

function stopWorker(worker: Worker): Promise<void> {
  if (worker.isDead()) return Promise.resolve();
  return new Promise((resolve) => {
    worker.once('exit', () => resolve());
    worker.process.kill('SIGTERM');
  });
}

// === inputs

/** Questions citizens ask (the evaluation sets), written so they are stored exactly as sent. */
function questionTexts(): string[] {
  const texts = new Set<string>();
  for (const file of ['heldout.jsonl', 'locked.jsonl', 'false-alarms.jsonl']) {
    const at = path.join(ROOT, 'eval', file);
    if (!existsSync(at)) continue;
    for (const line of readFileSync(at, 'utf8').split('\n').filter(Boolean)) {
      const text = (JSON.parse(line) as { text: string }).text;
      // Masked text would not match what was sent, and the check compares them.
      if (text.length <= 600 && maskPersonalNumbers(text) === text) texts.add(text);
    }
  }
  return [...texts];
}

async function databaseUrl(): Promise<{ url: string; label: string; stop(): void }> {
  const given = process.env.DATABASE_URL?.trim() || process.env.TEST_DATABASE_URL?.trim();
  if (given) return { url: given, label: '（DATABASE_URL / TEST_DATABASE_URL）', stop: () => {} };
  const output = execFileSync('bash', [path.join(ROOT, 'scripts/test-postgres.sh'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const url = /TEST_DATABASE_URL=(\S+)/.exec(output)?.[1];
  const dir = /PG_TEST_DIR=(\S+)/.exec(output)?.[1];
  if (!url || !dir) throw new Error('没有可用的 PostgreSQL：请设置 DATABASE_URL，或以 root 运行以自动安装（apt-get install postgresql）');
  return {
    url,
    label: '（本次临时启动，默认设置）',
    stop: () => execFileSync('bash', [path.join(ROOT, 'scripts/test-postgres.sh'), 'stop', dir], { stdio: 'ignore' }),
  };
}

/**
 * Connections per pool, the same for 1 and 4 processes: an update holds a claim and a chat lock
 * connection until it is answered, so the pools bound the updates in flight per process. As
 * large as 4 processes × 3 pools allow under the server's max_connections (20 kept spare), at
 * most 20.
 */
async function poolSizeFor(url: string): Promise<number> {
  const pool = createPool({ url, logger: createLogger('silent'), max: 1 });
  try {
    const { rows } = await pool.query<{ max: string }>(`SELECT current_setting('max_connections') AS max`);
    return Math.max(2, Math.min(20, Math.floor((Number(rows[0]!.max) - 20) / 12)));
  } finally {
    await pool.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
