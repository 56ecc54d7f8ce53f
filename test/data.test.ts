import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledgeFromDisk } from '../src/adapters/knowledge-files.ts';
import { lintKnowledge } from '../src/knowledge/lint.ts';
import { MIN_EXAMPLES, type KnowledgeBase } from '../src/knowledge/schema.ts';
import { TOPICS, topicOf } from '../src/knowledge/topics.ts';
import { formatIssue } from '../src/lib/issues.ts';
import { createNormalizer } from '../src/nlp/normalize.ts';
import { readEvalTexts } from '../src/adapters/eval-files.ts';
import { messages } from '../src/dialogue/messages.ts';

/** The real intents/ and data/ are reviewed like code: zero errors, every topic built. */
let kb: KnowledgeBase;
let loadIssues: string[];

beforeAll(async () => {
  const loaded = await loadKnowledgeFromDisk({ intentsDir: 'intents', dataDir: 'data' });
  loadIssues = loaded.issues.filter((i) => i.severity === 'error').map(formatIssue);
  kb = loaded.kb as KnowledgeBase;
});

describe('curated data', () => {
  it('loads and lints without errors, and no example leaks an evaluation question', () => {
    expect(loadIssues).toEqual([]);
    const normalize = createNormalizer(kb.homophones, kb.bilingual);
    const evalTexts = readEvalTexts();
    expect(evalTexts.length).toBeGreaterThan(1000);
    const errors = lintKnowledge(kb, { normalize: (t) => normalize(t).text, evalTexts, leakSeverity: 'error' }).filter((i) => i.severity === 'error');
    expect(errors.map(formatIssue)).toEqual([]);
  });

  it('has at least 40 examples per intent, and 150 per kind of problem, half of them stories', () => {
    for (const intent of kb.intents) expect(intent.examples.length, intent.name).toBeGreaterThanOrEqual(40);
    const kinds = ['labor', 'family', 'traffic', 'debt', 'neighbor', 'land', 'consumer', 'criminal', 'medical'].map((k) => `triage.${k}`);
    for (const name of kinds) {
      const examples = kb.intents.find((intent) => intent.name === name)?.examples ?? [];
      const stories = examples.filter((text) => text.length >= 30 && text.length <= 200);
      expect(examples.length, name).toBeGreaterThanOrEqual(150);
      expect(stories.length, `${name}: stories`).toBeGreaterThanOrEqual(75);
    }
  });

  it('builds every topic of topics.md, each intent with enough varied examples', () => {
    const topics = new Set(kb.intents.map((i) => topicOf(i.name)));
    expect([...TOPICS].filter((t) => !topics.has(t))).toEqual([]);
    for (const intent of kb.intents) expect(intent.examples.length, intent.name).toBeGreaterThanOrEqual(MIN_EXAMPLES);
  });

  it('gives every fact a known source, and never an unverified local contact', () => {
    for (const fact of kb.facts) {
      expect(kb.sources.some((s) => s.id === fact.source.id), fact.id).toBe(true);
      expect(fact.text, fact.id).not.toMatch(/0798|https?:|www\.|\d{3,4}-\d{7,8}/);
    }
  });

  it('addresses the citizen as 您 in every fact, flow and message of the bot, never 你', () => {
    // Intents' questions are the citizen's words to the bot ("你是谁？") and may say 你.
    const texts: Array<[string, string]> = [
      ...kb.facts.map((fact): [string, string] => [fact.id, fact.text]),
      ...kb.flows.map((flow): [string, string] => [flow.id, JSON.stringify(flow)]),
      ['messages', JSON.stringify(messages)],
    ];
    expect(texts.filter(([, text]) => text.includes('你')).map(([id]) => id)).toEqual([]);
  });

  const seedPath = '../shared/seeds/000_36d4363ad455785f.txt';
  const seed = existsSync(seedPath) ? readFileSync(seedPath, 'utf8') : undefined;
  it.skipIf(!seed)(
    seed ? 'states every city figure exactly as the 2020 report does' : 'skipped: the city report (../shared/seeds) is not in this checkout',
    () => {
      const cityFacts = kb.facts.filter((f) => f.scope === 'city_2020' && f.source.id === 'S0');
      expect(cityFacts.length).toBeGreaterThan(20);
      for (const fact of cityFacts) {
        for (const figure of fact.figures) {
          const digits = figure.replace(/[^\d.]/g, '');
          if (digits) expect(seed, `${fact.id}: ${figure}`).toContain(digits);
        }
      }
    },
  );

  it.skipIf(!seed)(
    seed ? 'covers every figure of the report somewhere in the fact store' : 'skipped: the city report (../shared/seeds) is not in this checkout, so report coverage cannot be checked',
    () => {
    const numbers = new Set((seed ?? '').match(/\d+(\.\d+)?/g) ?? []);
    const allText = kb.facts.map((f) => f.text).join('\n');
    const ignored = new Set(['2020', '2021', '2016', '2017', '2025', '3', '28', '1', '2', '4', '5', '8', '9', '19', '14']);
    const missing = [...numbers].filter((n) => !ignored.has(n) && !allText.includes(n));
    expect(missing).toEqual([]);
    },
  );
});
