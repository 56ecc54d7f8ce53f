import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootCore } from '../src/bootstrap.ts';
import type { DialogueState, Reply } from '../src/dialogue/types.ts';
import type { Engine } from '../src/engine.ts';
import { isCorrect } from '../src/admin/bench.ts';
import { parseDialogues, parseEvalQuestions, type EvalQuestion } from '../src/evaluation/sets.ts';

/**
 * Floors under `npm run eval`: a change that makes the bot worse on the evaluation sets fails
 * CI. Each floor sits a little under what the bot measures today, so noise does not fail a
 * build but a real regression does. Asserts accuracy, never timings. The locked set's floor is
 * a regression guard only; nothing is tuned to it (the eval script never lists its lines).
 */
const read = (name: string) => {
  const file = `eval/${name}`;
  return existsSync(file) ? parseEvalQuestions(readFileSync(file, 'utf8'), file) : [];
};
const dev = read('heldout.jsonl');
const locked = read('locked.jsonl');
const emergencies = read('emergency.jsonl');
const falseAlarms = read('false-alarms.jsonl');
const dialogues = existsSync('eval/dialogues.jsonl')
  ? parseDialogues(readFileSync('eval/dialogues.jsonl', 'utf8'), 'eval/dialogues.jsonl')
  : [];

let engine: Engine;
beforeAll(async () => {
  engine = (await bootCore({ intentsDir: 'intents', dataDir: 'data' })).engine;
});

const reply = (text: string, state?: DialogueState) => engine.respond({ kind: 'text', text }, state);
const topicAccuracy = (rows: EvalQuestion[]) => {
  const wrong = rows.filter((row) => !isCorrect({ id: row.id, text: row.text, topic: row.topic }, reply(row.text).reply));
  return { accuracy: 1 - wrong.length / rows.length, wrong: wrong.map((row) => `${row.id} ${row.text.slice(0, 30)}`) };
};
const caught = (r: Reply) => r.kind === 'emergency' || r.safety === 'possible';

describe('evaluation sets', () => {
  it('are large enough to mean something', () => {
    expect(dev.length).toBeGreaterThanOrEqual(300);
    expect(locked.length).toBeGreaterThanOrEqual(400);
    expect(emergencies.length).toBeGreaterThanOrEqual(100);
    expect(falseAlarms.length).toBeGreaterThanOrEqual(100);
    expect(dialogues.length).toBeGreaterThanOrEqual(50);
  });

  it('routes at least 93% of the dev questions and 88% of the locked ones to the right topic', () => {
    const d = topicAccuracy(dev);
    expect(d.accuracy, d.wrong.join('\n')).toBeGreaterThanOrEqual(0.93);
    // No lines are printed for the locked set: looking at them would turn it into a tuning set.
    expect(topicAccuracy(locked).accuracy).toBeGreaterThanOrEqual(0.88);
  });

  it('states the figure or number at least 95% of the factual dev questions must get', () => {
    const rows = dev.filter((row) => row.mustContain?.length);
    const missing = rows.flatMap((row) => {
      const r = reply(row.text).reply;
      const absent = (row.mustContain ?? []).filter((s) => !r.text.includes(s));
      return absent.length ? [`${row.id} ${row.text.slice(0, 30)} → 缺少 ${absent.join('、')}（${r.intent}）`] : [];
    });
    expect(1 - missing.length / rows.length, missing.join('\n')).toBeGreaterThanOrEqual(0.95);
  });

  it('misses no emergency of the dev set, and leads with 110 for at least 95% of the emergency set', () => {
    const missed = [...dev.filter((row) => row.topic === 'emergency'), ...emergencies]
      .filter((row) => !caught(reply(row.text).reply))
      .map((row) => `${row.id} ${row.text.slice(0, 40)}`);
    expect(missed.filter((line) => line.startsWith('h'))).toEqual([]);
    expect(missed.length / emergencies.length, missed.join('\n')).toBeLessThanOrEqual(0.05);
  });

  it('answers at most 2% of ordinary questions with alarming words as an emergency', () => {
    const alarms = falseAlarms.filter((row) => reply(row.text).reply.kind === 'emergency').map((row) => `${row.id} ${row.text.slice(0, 40)}`);
    expect(alarms.length / falseAlarms.length, alarms.join('\n')).toBeLessThanOrEqual(0.02);
  });

  it('keeps short follow-ups on the conversation topic: at least 75% of dialogue turns right', () => {
    let right = 0;
    let turns = 0;
    for (const dialogue of dialogues) {
      let state: DialogueState | undefined;
      for (const turn of dialogue.turns) {
        const result = reply(turn.text, state);
        state = result.state;
        turns += 1;
        const r = result.reply;
        if (turn.topic === 'emergency' ? caught(r) : isCorrect({ id: turn.id, text: turn.text, topic: turn.topic }, r)) right += 1;
      }
    }
    expect(right / turns).toBeGreaterThanOrEqual(0.75);
  });
});
