import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootCore } from '../src/bootstrap.ts';
import type { Engine } from '../src/engine.ts';
import { isCorrect } from '../src/admin/bench.ts';

/**
 * The floor under `npm run eval`: a change that makes the bot worse on the held-out questions
 * (written apart from the training examples) fails CI. Asserts accuracy, never timings.
 */
interface HeldOut { id: string; text: string; topic: string; intent?: string; mustContain?: string[] }
const FILE = 'test/eval/heldout.jsonl';
const rows: HeldOut[] = existsSync(FILE)
  ? readFileSync(FILE, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as HeldOut)
  : [];
let engine: Engine;

beforeAll(async () => {
  engine = (await bootCore({ intentsDir: 'intents', dataDir: 'data' })).engine;
});

describe('held-out questions', () => {
  it('has at least 300 questions over every topic', () => {
    expect(rows.length).toBeGreaterThanOrEqual(300);
  });

  it('routes at least 90% of them to the right topic', () => {
    const wrong = rows.filter((row) => {
      const { reply } = engine.respond({ kind: 'text', text: row.text }, undefined);
      return !isCorrect({ id: row.id, text: row.text, topic: row.topic }, reply);
    });
    const accuracy = 1 - wrong.length / rows.length;
    expect(accuracy, wrong.map((r) => `${r.id} ${r.text.slice(0, 30)}`).join('\n')).toBeGreaterThanOrEqual(0.9);
  });

  it('states every figure or number a factual question must get', () => {
    const missing = rows.flatMap((row) => {
      if (!row.mustContain?.length) return [];
      const { reply } = engine.respond({ kind: 'text', text: row.text }, undefined);
      const absent = row.mustContain.filter((s) => !reply.text.includes(s));
      return absent.length ? [`${row.id} ${row.text.slice(0, 30)} → 缺少 ${absent.join('、')}（${reply.intent}）`] : [];
    });
    expect(missing).toEqual([]);
  });

  it('misses no emergency', () => {
    const missed = rows
      .filter((row) => row.topic === 'emergency')
      .filter((row) => engine.respond({ kind: 'text', text: row.text }, undefined).reply.kind !== 'emergency')
      .map((row) => `${row.id} ${row.text.slice(0, 40)}`);
    expect(missed).toEqual([]);
  });
});
