/**
 * npm run eval [-- --json] [-- --design bayes|tfidf]
 * Reports accuracy two ways: k-fold cross-validation over the intent examples, and the
 * held-out questions in test/eval/heldout.jsonl (written apart from the examples). Compares
 * the classifier designs on both. Reports; asserts nothing (test/eval.test.ts holds the floor).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadKnowledgeFromDisk } from '../src/adapters/knowledge-files.ts';
import { engineOptions } from '../src/bootstrap.ts';
import { createEngine } from '../src/engine.ts';
import { parseQuestions, runBatch } from '../src/admin/bench.ts';
import { computeMetrics, foldOf, type Metrics, type Prediction } from '../src/evaluation/metrics.ts';
import type { ClassifierDesign } from '../src/nlp/classify.ts';
import type { KnowledgeBase } from '../src/knowledge/schema.ts';
import { topicOf } from '../src/knowledge/topics.ts';

const HELD_OUT = 'test/eval/heldout.jsonl';
const K = 5;

const { values } = parseArgs({
  options: { json: { type: 'boolean', default: false }, design: { type: 'string' }, folds: { type: 'string' } },
});
const designs: ClassifierDesign[] = values.design ? [values.design as ClassifierDesign] : ['bayes', 'tfidf', 'ensemble'];

const loaded = await loadKnowledgeFromDisk({ intentsDir: 'intents', dataDir: 'data' });
if (!loaded.kb) {
  console.error('数据未通过校验，先运行 npm run check');
  process.exit(1);
}
const kb = loaded.kb;

function crossValidate(design: ClassifierDesign): Metrics {
  const predictions: Prediction[] = [];
  for (let fold = 0; fold < K; fold += 1) {
    const train: KnowledgeBase = {
      ...kb,
      intents: kb.intents.map((intent) => ({ ...intent, examples: intent.examples.filter((_, i) => foldOf(i, K) !== fold) })),
    };
    const engine = createEngine(train, { ...engineOptions({ design }) });
    for (const intent of kb.intents) {
      intent.examples.forEach((text, i) => {
        if (foldOf(i, K) !== fold) return;
        const { reply } = engine.respond({ kind: 'text', text }, undefined);
        predictions.push({ expectedTopic: topicOf(intent.name) ?? '', expectedIntent: intent.name, predictedTopic: reply.topic, predictedIntent: reply.intent });
      });
    }
  }
  return computeMetrics(predictions);
}

function heldOut(design: ClassifierDesign) {
  if (!existsSync(HELD_OUT)) return undefined;
  const { questions } = parseQuestions(readFileSync(HELD_OUT, 'utf8'), HELD_OUT);
  const engine = createEngine(kb, { ...engineOptions({ design }) });
  // Scored by topic here (the floor test's measure); intent accuracy comes from the metrics.
  const report = runBatch(engine, questions.map((q) => ({ id: q.id, text: q.text, topic: q.topic })));
  const rows = report.rows.map((row, i) => ({ row, question: questions[i]! }));
  const predictions: Prediction[] = rows.map(({ row, question }) => ({
    expectedTopic: question.topic ?? '',
    ...(question.intent ? { expectedIntent: question.intent } : {}),
    predictedTopic: row.topic,
    predictedIntent: row.intent,
  }));
  const missingOf = ({ row, question }: (typeof rows)[number]) => (question.mustContain ?? []).filter((s) => !row.reply.includes(s));
  const withStrings = rows.filter(({ question }) => (question.mustContain ?? []).length > 0);
  const emergencies = rows.filter(({ question }) => question.topic === 'emergency');
  return {
    metrics: computeMetrics(predictions),
    byTopic: [...report.byTopic].sort((a, b) => a.topic.localeCompare(b.topic)),
    mustContain: { rows: withStrings.length, passed: withStrings.filter((r) => missingOf(r).length === 0).length },
    emergency: { total: emergencies.length, caught: emergencies.filter(({ row }) => row.kind === 'emergency').length },
    misses: rows
      .filter((r) => r.row.ok === false || missingOf(r).length > 0)
      .map((r) => ({ id: r.row.id, text: r.row.text.slice(0, 50), expected: r.question.topic, got: r.row.intent, confidence: r.row.confidence, missing: missingOf(r) })),
  };
}

const results = designs.map((design) => ({ design, crossValidation: crossValidate(design), heldOut: heldOut(design) }));

if (values.json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const examples = kb.intents.reduce((n, i) => n + i.examples.length, 0);
  console.log(`意图 ${kb.intents.length} 个，例句 ${examples} 条；评测集 ${HELD_OUT}`);
  for (const r of results) {
    const cv = r.crossValidation;
    console.log(`\n=== 分类器 ${r.design} ===`);
    console.log(`${K}折交叉验证：主题准确率 ${pct(cv.topicAccuracy)}，意图准确率 ${pct(cv.intentAccuracy)}，宏F1 ${cv.macroF1.toFixed(3)}，范围外 P ${pct(cv.outOfScope.precision)} / R ${pct(cv.outOfScope.recall)}`);
    if (!r.heldOut) {
      console.log('（没有评测集文件，跳过）');
      continue;
    }
    const h = r.heldOut.metrics;
    console.log(`评测集（${h.total} 条）：主题准确率 ${pct(h.topicAccuracy)}，意图准确率 ${pct(h.intentAccuracy)}（${h.intentRows} 条有意图标注），宏F1 ${h.macroF1.toFixed(3)}，范围外 P ${pct(h.outOfScope.precision)} / R ${pct(h.outOfScope.recall)}`);
    console.log(`必含内容：${r.heldOut.mustContain.passed}/${r.heldOut.mustContain.rows}；紧急求助识别：${r.heldOut.emergency.caught}/${r.heldOut.emergency.total}`);
    console.log('各主题：');
    for (const t of r.heldOut.byTopic) console.log(`  ${t.topic.padEnd(18)} ${String(t.correct).padStart(3)}/${String(t.total).padEnd(3)} ${pct(t.accuracy)}`);
    console.log('最常见的混淆（预期→得到）：');
    for (const c of h.confusions) console.log(`  ${c.expected} → ${c.predicted}：${c.count}`);
  }
  if (results.length > 1) {
    const best = [...results].sort((a, b) => (b.heldOut?.metrics.topicAccuracy ?? 0) - (a.heldOut?.metrics.topicAccuracy ?? 0))[0];
    console.log(`\n评测集主题准确率最高的设计：${best?.design}`);
  }
}
