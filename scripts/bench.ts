/**
 * npm run bench [-- --json]
 * Reports (never asserts): cold start to first answer, per-message latency p50/p99 over at
 * least 2,000 messages after warm-up, messages per second, peak RSS, and the cost of storing
 * one more exchange with 100,000 already stored.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { bootCore } from '../src/bootstrap.ts';
import { benchRuntimeStore } from './bench-store.ts';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, messages: { type: 'string', default: '3000' } } });
const MESSAGES = Math.max(2000, Number(values.messages));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

// Cold start: three fresh processes, the median reported.
const coldRuns = [0, 1, 2].map(() => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/cold-start.ts'], { encoding: 'utf8' });
  return (JSON.parse(out.trim().split('\n').pop() ?? '{}') as { coldStartMs: number }).coldStartMs;
});
const coldStartMs = [...coldRuns].sort((a, b) => a - b)[1] ?? 0;

const core = await bootCore({ intentsDir: 'intents', dataDir: 'data' });
const corpus: string[] = [];
for (const intent of core.engine.knowledge().intents) corpus.push(...intent.examples);
if (existsSync('test/eval/heldout.jsonl')) {
  for (const line of readFileSync('test/eval/heldout.jsonl', 'utf8').split('\n').filter(Boolean)) {
    corpus.push((JSON.parse(line) as { text: string }).text);
  }
}
// A long story and a very long paste are part of real traffic.
corpus.push('我在工地干了半年活，老板一直拖着工资不给，'.repeat(12), '很长的消息'.repeat(20_000));

for (let i = 0; i < 300; i += 1) core.engine.respond({ kind: 'text', text: corpus[i % corpus.length] ?? '' }, undefined);

const latencies: number[] = [];
const started = performance.now();
for (let i = 0; i < MESSAGES; i += 1) {
  const t0 = performance.now();
  core.engine.respond({ kind: 'text', text: corpus[i % corpus.length] ?? '' }, undefined);
  latencies.push(performance.now() - t0);
}
const elapsed = performance.now() - started;
latencies.sort((a, b) => a - b);

const store = await benchRuntimeStore({});

const result = {
  messages: MESSAGES,
  corpusSize: corpus.length,
  coldStartMs: Math.round(coldStartMs),
  coldStartRunsMs: coldRuns.map(Math.round),
  latencyMs: { p50: +percentile(latencies, 50).toFixed(3), p99: +percentile(latencies, 99).toFixed(3), max: +(latencies.at(-1) ?? 0).toFixed(3) },
  messagesPerSecond: Math.round((MESSAGES / elapsed) * 1000),
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  store,
};

if (values.json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  console.log(`冷启动到第一个回答：${result.coldStartMs} ms（三次：${result.coldStartRunsMs.join(' / ')} ms）`);
  console.log(`每条消息延迟（${MESSAGES} 条，预热 300 条后）：p50 ${result.latencyMs.p50} ms，p99 ${result.latencyMs.p99} ms，最大 ${result.latencyMs.max} ms`);
  console.log(`吞吐：${result.messagesPerSecond} 条/秒；峰值内存 RSS：${result.peakRssMiB} MiB`);
  console.log(`存储一条对话记录（已有 ${store.prefilled} 条）：平均 ${store.meanMs.toFixed(3)} ms，p50 ${store.p50Ms.toFixed(3)} ms，p99 ${store.p99Ms.toFixed(3)} ms（打开存储 ${Math.round(store.openMs)} ms）`);
}
