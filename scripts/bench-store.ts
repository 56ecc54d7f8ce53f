import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRuntimeStore } from '../src/adapters/runtime-store.ts';
import type { Exchange } from '../src/admin/ports.ts';
import { createLogger } from '../src/lib/logger.ts';

export interface StoreBenchResult {
  prefilled: number;
  samples: number;
  /** Opening the store over the pre-filled history (checks every day file once). */
  openMs: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Pre-fills `prefill` exchanges (spread over 180 days, as with the default retention) in a temp
 * dir, then times `recordExchange` for `samples` more, one at a time as a chat would.
 */
export async function benchRuntimeStore(
  opts: { prefill?: number; samples?: number } = {},
): Promise<StoreBenchResult> {
  const prefill = opts.prefill ?? 100_000;
  const samples = opts.samples ?? 2_000;
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-store-'));
  try {
    await prefillExchanges(dir, prefill);
    const logger = createLogger('silent');
    const openStart = performance.now();
    const store = await createRuntimeStore({ dir, logger });
    const openMs = performance.now() - openStart;

    const costs: number[] = [];
    for (let index = 0; index < samples; index += 1) {
      const start = performance.now();
      await store.recordExchange(sample(new Date().toISOString(), index));
      costs.push(performance.now() - start);
    }
    await store.flush();
    costs.sort((a, b) => a - b);
    const at = (q: number) => round(costs[Math.min(costs.length - 1, Math.floor(q * costs.length))] ?? 0);
    return {
      prefilled: prefill,
      samples,
      openMs: round(openMs),
      meanMs: round(costs.reduce((sum, cost) => sum + cost, 0) / costs.length),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: round(costs[costs.length - 1] ?? 0),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function prefillExchanges(dir: string, count: number): Promise<void> {
  const days = 180;
  const exchangesDir = path.join(dir, 'exchanges');
  await mkdir(exchangesDir, { recursive: true });
  const start = Date.now() - days * 86_400_000;
  for (let day = 0; day < days; day += 1) {
    const date = new Date(start + day * 86_400_000).toISOString();
    const perDay = Math.floor(count / days) + (day < count % days ? 1 : 0);
    const lines: string[] = [];
    for (let index = 0; index < perDay; index += 1) {
      const id = `${date.slice(0, 10).replace(/-/g, '')}-${(day * 1_000_000 + index).toString(16).padStart(10, '0')}`;
      lines.push(JSON.stringify({ id, ...sample(date, index) }));
    }
    await writeFile(path.join(exchangesDir, `${date.slice(0, 10)}.jsonl`), lines.length ? `${lines.join('\n')}\n` : '');
  }
}

/** One typical stored exchange (shared with the PostgreSQL store bench). */
export function sample(at: string, index: number): Omit<Exchange, 'id'> {
  return {
    at,
    channel: 'telegram',
    chatKey: `telegram:${index % 500}`,
    text: '我想申请法律援助，需要带什么材料？电话138****5678',
    intent: 'legal_aid.how_to_apply',
    topic: 'legal_aid',
    confidence: 0.82,
    kind: 'answer',
    decidedBy: 'classifier',
    reply: '申请法律援助一般需要身份证明、经济困难证明和案件材料……',
  };
}

export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchRuntimeStore(), null, 2));
}
