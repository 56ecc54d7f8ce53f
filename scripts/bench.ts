/**
 * npm run bench [-- --json] [-- --messages 10000]   (npm run bench -- --reliability: see bench-reliability.ts)

 * npm run bench [-- --json] [-- --messages 10000]
 * npm run bench -- --scale   (several processes on PostgreSQL: see scripts/bench-scale.ts)
 * Reports (never asserts):
 * - cold start to the first answer through the staff CLI, as a user runs it
 *   (`npm run --silent cli -- classify --jsonl`, one message), and with node directly;
 * - end-to-end throughput: the same CLI given many messages on stdin (cold start subtracted);
 * - NLP.js 4 (@nlpjs/nlp with the Chinese pipeline), trained on the same examples and asked
 *   the same messages in process, in this same run: the rate the issue compares us against;
 * - in-process latency per message (p50/p99/max) and messages per second;
 * - peak RSS of a process that loaded the bot and answered every message (before NLP.js);
 * - the cost of storing one more exchange with 100,000 already stored.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { bootCore } from '../src/bootstrap.ts';
import { benchRuntimeStore } from './bench-store.ts';

// `npm run bench -- --reliability …` is another report with its own options (bench-reliability.ts).
if (process.argv.includes('--reliability')) {
  const { runReliabilityBench } = await import('./bench-reliability.ts');
  process.exit(await runReliabilityBench(process.argv.slice(2)));
}

const { values } = parseArgs({
  options: { json: { type: 'boolean', default: false }, messages: { type: 'string', default: '10000' }, scale: { type: 'boolean', default: false } },
});
if (values.scale) {
  // 1 vs 4 webhook processes on PostgreSQL: its own report (scripts/bench-scale.ts).
  const { runScaleBench } = await import('./bench-scale.ts');
  await runScaleBench({ json: values.json });
  process.exit(0);
}
const MESSAGES = Math.max(2000, Number(values.messages));

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

// The messages: every evaluation question and every example, in a fixed interleaved order, so
// short questions and long stories are mixed as in real traffic.
const core = await bootCore({ intentsDir: 'intents', dataDir: 'data' });
const pool: string[] = [];
for (const file of ['heldout.jsonl', 'emergency.jsonl', 'false-alarms.jsonl']) {
  const path = `eval/${file}`;
  if (existsSync(path)) for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean)) pool.push((JSON.parse(line) as { text: string }).text);
}
for (const intent of core.engine.knowledge().intents) pool.push(...intent.examples);
const corpus = Array.from({ length: MESSAGES }, (_, i) => pool[(i * 7919) % pool.length] ?? '');
const jsonl = corpus.map((text, i) => JSON.stringify({ id: String(i), text })).join('\n') + '\n';

// --- through the CLI, as staff run it ---------------------------------------------------------
function timed(command: string, args: string[], input: string): number {
  const started = performance.now();
  const result = spawnSync(command, args, { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return performance.now() - started;
}
const oneLine = `${JSON.stringify({ id: '1', text: '我想申请法律援助，要带什么材料？' })}\n`;
timed('npm', ['run', '--silent', 'cli', '--', 'classify', '--jsonl'], oneLine); // builds dist/ if stale, warms the caches
const coldNpm = median([0, 1, 2].map(() => timed('npm', ['run', '--silent', 'cli', '--', 'classify', '--jsonl'], oneLine)));
const coldNode = median([0, 1, 2].map(() => timed(process.execPath, ['scripts/cli.mjs', 'classify', '--jsonl'], oneLine)));
const manyMs = timed(process.execPath, ['scripts/cli.mjs', 'classify', '--jsonl'], jsonl);
const endToEnd = Math.round((MESSAGES / Math.max(1, manyMs - coldNode)) * 1000);

// --- in process -----------------------------------------------------------------------------
for (let i = 0; i < 500; i += 1) core.engine.respond({ kind: 'text', text: corpus[i] ?? '' }, undefined);
const latencies: number[] = [];
const started = performance.now();
for (const text of corpus) {
  const t0 = performance.now();
  core.engine.respond({ kind: 'text', text }, undefined);
  latencies.push(performance.now() - t0);
}
const elapsed = performance.now() - started;
latencies.sort((a, b) => a - b);
const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);

// --- NLP.js, same examples, same messages, same process ---------------------------------------
const nlpjs = await benchNlpJs();

async function benchNlpJs(): Promise<{ trainMs: number; messagesPerSecond: number } | undefined> {
  try {
    const { containerBootstrap } = await import('@nlpjs/core');
    const { Nlp } = await import('@nlpjs/nlp');
    const { LangZh } = await import('@nlpjs/lang-zh');
    const container = await containerBootstrap();
    container.use(Nlp);
    container.use(LangZh);
    const nlp = container.get('nlp');
    nlp.settings.autoSave = false;
    nlp.addLanguage('zh');
    for (const intent of core.engine.knowledge().intents) for (const text of intent.examples) nlp.addDocument('zh', text, intent.name);
    const t0 = performance.now();
    // NLP.js logs each training epoch to the console; keep stdout for the report.
    const log = console.log;
    console.log = () => {};
    try {
      await nlp.train();
    } finally {
      console.log = log;
    }
    const trainMs = performance.now() - t0;
    for (let i = 0; i < 500; i += 1) await nlp.process('zh', corpus[i] ?? '');
    const t1 = performance.now();
    for (const text of corpus) await nlp.process('zh', text);
    return { trainMs: Math.round(trainMs), messagesPerSecond: Math.round((MESSAGES / (performance.now() - t1)) * 1000) };
  } catch (error) {
    process.stderr.write(`NLP.js 没有运行（${(error as Error).message}）\n`);
    return undefined;
  }
}

const store = await benchRuntimeStore({});

const result = {
  messages: MESSAGES,
  cli: {
    coldStartMs: { npm: Math.round(coldNpm), node: Math.round(coldNode) },
    endToEndMessagesPerSecond: endToEnd,
    totalMs: Math.round(manyMs),
  },
  nlpjs: nlpjs ?? null,
  inProcess: {
    latencyMs: { p50: +percentile(latencies, 50).toFixed(3), p99: +percentile(latencies, 99).toFixed(3), max: +(latencies.at(-1) ?? 0).toFixed(3) },
    messagesPerSecond: Math.round((MESSAGES / elapsed) * 1000),
    peakRssMiB,
  },
  store,
  machine: execFileSync('nproc', { encoding: 'utf8' }).trim() + ' cores',
};

if (values.json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const c = result.cli;
  console.log(`冷启动到第一个回答（CLI，三次中位数）：npm run ${c.coldStartMs.npm} ms；直接用 node ${c.coldStartMs.node} ms`);
  console.log(`端到端吞吐（CLI classify --jsonl，${MESSAGES} 条，扣除冷启动）：${c.endToEndMessagesPerSecond} 条/秒（共 ${c.totalMs} ms）`);
  console.log(nlpjs ? `NLP.js 4 进程内（同样的例句和消息，本次运行）：${nlpjs.messagesPerSecond} 条/秒（训练 ${nlpjs.trainMs} ms）` : 'NLP.js：未运行');
  const p = result.inProcess;
  console.log(`进程内每条延迟：p50 ${p.latencyMs.p50} ms，p99 ${p.latencyMs.p99} ms，最大 ${p.latencyMs.max} ms；${p.messagesPerSecond} 条/秒`);
  console.log(`峰值内存 RSS（载入并回答全部消息后、NLP.js 之前）：${p.peakRssMiB} MiB`);
  console.log(`存储一条对话记录（已有 ${store.prefilled} 条）：平均 ${store.meanMs.toFixed(3)} ms，p50 ${store.p50Ms.toFixed(3)} ms，p99 ${store.p99Ms.toFixed(3)} ms（打开存储 ${Math.round(store.openMs)} ms）`);
}
