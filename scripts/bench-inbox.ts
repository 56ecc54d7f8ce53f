/**
 * npx tsx scripts/bench-inbox.ts [messages]
 * How long the review inbox takes to open with many distinct messages waiting, through the real
 * web app (Hono, routes, runtime store on disk in a temp dir). Reports, never asserts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRuntimeStore } from '../src/adapters/runtime-store.ts';
import type { Exchange } from '../src/admin/ports.ts';
import { bootCore } from '../src/bootstrap.ts';
import { createWebApp } from '../src/channels/web/app.ts';
import { buildWebServices, loadConsoleFiles } from '../src/channels/web/server.ts';
import { loadConfig } from '../src/config.ts';
import { createKeyedQueue } from '../src/lib/keyed-queue.ts';
import { createLogger } from '../src/lib/logger.ts';

export interface InboxBenchResult {
  messages: number;
  /** The first inbox request after start: reads the window and groups everything. */
  firstOpenMs: number;
  /** The next request: nothing new. */
  secondOpenMs: number;
  /** A request after one more message arrived. */
  afterNewMessageMs: number;
}

const REPO = path.resolve(import.meta.dirname, '..');
const DAY_MS = 86_400_000;

export async function benchInbox({ messages }: { messages: number }): Promise<InboxBenchResult> {
  const root = await mkdtemp(path.join(tmpdir(), 'bench-inbox-'));
  try {
    const config = loadConfig({
      INTENTS_DIR: path.join(REPO, 'intents'),
      DATA_DIR: path.join(REPO, 'data'),
      RUNTIME_DIR: path.join(root, 'runtime'),
      LOG_LEVEL: 'silent',
      ADMIN_USER: 'admin',
      ADMIN_PASSWORD: 'Bench-Inbox-Orchid-2026',
      SESSION_SECRET: 'bench-secret',
    });
    const logger = createLogger('silent');
    const core = await bootCore({ intentsDir: config.INTENTS_DIR, dataDir: config.DATA_DIR });
    const store = await createRuntimeStore({ dir: config.RUNTIME_DIR, logger });
    const services = await buildWebServices({ config, core, store, logger, knowledgeQueue: createKeyedQueue(), heldoutPath: path.join(root, 'none.jsonl') });
    const app = createWebApp(services, await loadConsoleFiles());

    const texts = distinctTexts(messages + 1);
    const now = Date.now();
    // Spread over the last 30 days, oldest first, in batches (the store groups concurrent appends).
    for (let start = 0; start < messages; start += 500) {
      const batch = texts.slice(start, Math.min(messages, start + 500));
      await Promise.all(batch.map((text, offset) => store.recordExchange(exchange(text, start + offset, now - 30 * DAY_MS + ((start + offset) * 30 * DAY_MS) / messages))));
    }
    await store.flush();

    const login = await app.request('http://localhost/api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'admin', password: 'Bench-Inbox-Orchid-2026' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const open = async () => {
      const started = performance.now();
      const response = await app.request('http://localhost/api/admin/inbox', { headers: { Cookie: cookie } });
      const body = (await response.json()) as { totalGroups?: number };
      if (response.status !== 200 || typeof body.totalGroups !== 'number') throw new Error(`inbox answered ${response.status}`);
      return round(performance.now() - started);
    };

    const firstOpenMs = await open();
    const secondOpenMs = await open();
    await store.recordExchange(exchange(texts[messages]!, messages, Date.now()));
    const afterNewMessageMs = await open();
    await store.flush();
    return { messages, firstOpenMs, secondOpenMs, afterNewMessageMs };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Texts that group with no other: common openings and endings (so the index meets long posting
 * lists, as real questions share 请问/怎么办) around a run of characters unique to each text.
 */
function distinctTexts(count: number): string[] {
  const openings = ['请问', '我想问一下', '你好，', '', '麻烦问下'];
  const endings = ['怎么办？', '找谁管', '可以吗', '要多少钱', ''];
  // mulberry32: integer arithmetic, so the sequence does not collapse as a float LCG does.
  let seed = 42;
  const next = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return Array.from({ length: count }, (_, index) => {
    const length = 6 + Math.floor(next() * 8);
    // 3,000 common characters; the index itself, spelt in them, keeps each text distinct.
    const middle = Array.from({ length }, () => String.fromCodePoint(0x4e00 + Math.floor(next() * 3000))).join('');
    const tag = [...index.toString(30)].map((digit) => String.fromCodePoint(0x6000 + parseInt(digit, 30))).join('');
    return `${openings[index % openings.length]}${middle}${tag}${endings[(index * 7) % endings.length]}`;
  });
}

function exchange(text: string, index: number, at: number): Omit<Exchange, 'id'> {
  const missed = index % 2 === 0;
  return {
    at: new Date(at).toISOString(),
    channel: 'web',
    chatKey: `web:bench${index % 997}`,
    text,
    intent: missed ? 'none' : 'legal_aid.how_to_apply',
    topic: missed ? 'none' : 'legal_aid',
    confidence: missed ? 0 : 0.12,
    kind: missed ? 'clarify' : 'answer',
    decidedBy: missed ? 'fallback' : 'classifier',
    reply: '…',
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const messages = Number(process.argv[2] ?? 10_000);
  console.log(JSON.stringify(await benchInbox({ messages }), null, 2));
}
