/**
 * npm run eval [-- --json] [-- --design logreg|ensemble|bayes|tfidf] [-- --tune] [-- --misses dev|real|emergency|false-alarms|dialogues]
 *
 * Accuracy, measured honestly. Reports; asserts nothing (test/eval.test.ts holds the floors).
 * - cross-validation over the intent examples (5 folds);
 * - dev: eval/heldout.jsonl, the set we tune on;
 * - locked test: eval/locked.jsonl and locked-dialogues.jsonl, written once by someone who
 *   had not read the examples, never tuned on: the figures the README quotes;
 * - real-dev: ../shared/real-questions (real citizens' questions, labelled with its rubric),
 *   read from there when it exists and never copied;
 * - safety: eval/emergency.jsonl (recall) and false-alarms.jsonl (false-alarm rate);
 * - dialogues: eval/dialogues.jsonl, turn by turn with the conversation's state;
 * - calibration (expected calibration error) and the model comparison.
 * `--tune` also sweeps the confidence threshold and the softmax temperature on dev.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadKnowledgeFromDisk } from '../src/adapters/knowledge-files.ts';
import { engineOptions } from '../src/bootstrap.ts';
import { createEngine, type Engine } from '../src/engine.ts';
import { isCorrect } from '../src/admin/bench.ts';
import { expectedCalibrationError } from '../src/evaluation/calibration.ts';
import { computeMetrics, foldOf, type Metrics, type Prediction } from '../src/evaluation/metrics.ts';
import { scoreLabels } from '../src/evaluation/rubric.ts';
import { parseDialogues, parseEvalQuestions, type Dialogue, type EvalQuestion } from '../src/evaluation/sets.ts';
import type { DialogueState, Reply } from '../src/dialogue/types.ts';
import type { ClassifierDesign } from '../src/nlp/classify.ts';
import { DEFAULT_DESIGN } from '../src/nlp/classify.ts';
import { trainAnyDesign } from '../src/nlp/classify-natural.ts';
import type { KnowledgeBase } from '../src/knowledge/schema.ts';
import { topicOf } from '../src/knowledge/topics.ts';
import { buildSpace, probabilities, topLabels, trainHead, vectorize } from '../src/nlp/logreg.ts';

const EVAL = 'eval';
const REAL = '../shared/real-questions';
const K = 5;

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    design: { type: 'string' },
    tune: { type: 'boolean', default: false },
    misses: { type: 'string' },
    'no-cv': { type: 'boolean', default: false },
    /** While tuning, leave the locked set out entirely (its figures are for the README). */
    'no-locked': { type: 'boolean', default: false },
  },
});
const designs: ClassifierDesign[] = values.design
  ? [values.design as ClassifierDesign]
  : ['logreg', 'ensemble', 'bayes', 'tfidf'];

const loaded = await loadKnowledgeFromDisk({ intentsDir: 'intents', dataDir: 'data' });
if (!loaded.kb) {
  console.error('数据未通过校验，先运行 npm run check');
  process.exit(1);
}
const kb = loaded.kb;

const readSet = (name: string) => (existsSync(`${EVAL}/${name}`) ? parseEvalQuestions(readFileSync(`${EVAL}/${name}`, 'utf8'), `${EVAL}/${name}`) : []);
const readDialogues = (name: string) => (existsSync(`${EVAL}/${name}`) ? parseDialogues(readFileSync(`${EVAL}/${name}`, 'utf8'), `${EVAL}/${name}`) : []);
const dev = readSet('heldout.jsonl');
const locked = values['no-locked'] ? [] : readSet('locked.jsonl');
const emergencies = readSet('emergency.jsonl');
const falseAlarms = readSet('false-alarms.jsonl');
const dialogues = readDialogues('dialogues.jsonl');
const lockedDialogues = values['no-locked'] ? [] : readDialogues('locked-dialogues.jsonl');
const real = readReal();

function readReal(): Array<{ id: string; text: string; label: string }> | undefined {
  if (!existsSync(`${REAL}/labels.jsonl`) || !existsSync(`${REAL}/questions.jsonl`)) return undefined;
  const labels = new Map(
    readFileSync(`${REAL}/labels.jsonl`, 'utf8').split('\n').filter(Boolean).map((line) => {
      const { id, label } = JSON.parse(line) as { id: string; label: string };
      return [id, label] as const;
    }),
  );
  return readFileSync(`${REAL}/questions.jsonl`, 'utf8').split('\n').filter(Boolean).flatMap((line) => {
    const { id, text } = JSON.parse(line) as { id: string; text: string };
    const label = labels.get(id);
    return label ? [{ id, text, label }] : [];
  });
}

// === measures ================================================================================

const ask = (engine: Engine, text: string, state?: DialogueState) => engine.respond({ kind: 'text', text }, state);

interface SetScore {
  metrics: Metrics;
  mustContain: { rows: number; passed: number };
  emergency: { total: number; caught: number; caughtOrLed: number };
  /** Non-emergency rows answered with the emergency reply / led with the 110 line. */
  falseAlarms: { total: number; emergency: number; safetyLine: number };
  ece: number;
  misses: Array<{ id: string; text: string; expected: string; got: string; confidence: number }>;
}

function scoreSet(engine: Engine, rows: readonly EvalQuestion[]): SetScore {
  return scoreReplies(rows.map((q) => ({ q, reply: ask(engine, q.text).reply })));
}

function scoreReplies(pairs: ReadonlyArray<{ q: EvalQuestion; reply: Reply }>): SetScore {
  const predictions: Prediction[] = pairs.map(({ q, reply }) => ({
    expectedTopic: q.topic,
    ...(q.intent ? { expectedIntent: q.intent } : {}),
    predictedTopic: reply.kind === 'emergency' ? 'emergency' : reply.topic,
    predictedIntent: reply.intent,
  }));
  const withStrings = pairs.filter(({ q }) => (q.mustContain ?? []).length > 0);
  const urgent = pairs.filter(({ q }) => q.topic === 'emergency');
  const ordinary = pairs.filter(({ q }) => q.topic !== 'emergency');
  return {
    metrics: computeMetrics(predictions),
    mustContain: { rows: withStrings.length, passed: withStrings.filter(({ q, reply }) => (q.mustContain ?? []).every((s) => reply.text.includes(s))).length },
    emergency: {
      total: urgent.length,
      caught: urgent.filter(({ reply }) => reply.kind === 'emergency').length,
      caughtOrLed: urgent.filter(({ reply }) => reply.kind === 'emergency' || reply.safety === 'possible').length,
    },
    falseAlarms: {
      total: ordinary.length,
      emergency: ordinary.filter(({ reply }) => reply.kind === 'emergency').length,
      safetyLine: ordinary.filter(({ reply }) => reply.safety === 'possible').length,
    },
    ece: expectedCalibrationError(
      pairs.filter(({ reply }) => reply.kind === 'answer' || reply.kind === 'no_fact' || reply.kind === 'clarify' || reply.kind === 'ambiguous')
        .map(({ q, reply }) => ({ confidence: reply.confidence, correct: isCorrect({ id: q.id, text: q.text, topic: q.topic }, reply) === true })),
    ),
    misses: pairs
      .filter(({ q, reply }) => isCorrect(q, reply) === false || (q.topic === 'emergency' && reply.kind !== 'emergency'))
      .map(({ q, reply }) => ({ id: q.id, text: q.text.slice(0, 60), expected: q.intent ?? q.topic, got: reply.kind === 'emergency' ? `!${reply.intent}` : reply.intent, confidence: reply.confidence })),
  };
}

function scoreDialogues(engine: Engine, set: readonly Dialogue[]): SetScore & { turns: number } {
  const pairs: Array<{ q: EvalQuestion; reply: Reply }> = [];
  for (const dialogue of set) {
    let state: DialogueState | undefined;
    for (const turn of dialogue.turns) {
      const result = ask(engine, turn.text, state);
      state = result.state;
      pairs.push({ q: turn, reply: result.reply });
    }
  }
  return { ...scoreReplies(pairs), turns: pairs.length };
}

function scoreReal(engine: Engine) {
  if (!real) return undefined;
  const rows = real.map((q) => {
    const { reply } = ask(engine, q.text);
    return { id: q.id, text: q.text, label: q.label, intent: reply.kind === 'emergency' ? reply.intent : reply.intent };
  });
  return { ...scoreLabels(rows), rows };
}

function crossValidate(design: ClassifierDesign): Metrics {
  const predictions: Prediction[] = [];
  for (let fold = 0; fold < K; fold += 1) {
    const train: KnowledgeBase = {
      ...kb,
      intents: kb.intents.map((intent) => ({ ...intent, examples: intent.examples.filter((_, i) => foldOf(i, K) !== fold) })),
    };
    const engine = createEngine(train, { ...engineOptions({ design }), trainer: trainAnyDesign, modelCache: undefined });
    for (const intent of kb.intents) {
      intent.examples.forEach((text, i) => {
        if (foldOf(i, K) !== fold) return;
        const { reply } = ask(engine, text);
        predictions.push({ expectedTopic: topicOf(intent.name) ?? '', expectedIntent: intent.name, predictedTopic: reply.kind === 'emergency' ? 'emergency' : reply.topic, predictedIntent: reply.intent });
      });
    }
  }
  return computeMetrics(predictions);
}

/**
 * The plain baseline the issue measured us against: logistic regression over character 1–3-grams
 * of the lower-cased text, the same examples, no rules, no threshold (scikit-learn's
 * TfidfVectorizer(analyzer='char', ngram_range=(1, 3)) + LogisticRegression, rebuilt here).
 */
function baseline() {
  const grams = (text: string) => {
    const t = text.normalize('NFKC').toLowerCase();
    const out = new Set<string>();
    for (let n = 1; n <= 3; n += 1) for (let i = 0; i + n <= t.length; i += 1) out.add(t.slice(i, i + n));
    return [...out];
  };
  const examples = kb.intents.flatMap((intent) => intent.examples.map((text) => ({ intent: intent.name, features: grams(text) })));
  const space = buildSpace(examples.map((e) => e.features), 1);
  const head = trainHead(examples.map((e) => ({ x: vectorize(space, e.features), label: e.intent })), space.idf.length);
  const predict = (text: string) => topLabels(head.labels, probabilities(head, vectorize(space, grams(text))), 1)[0]?.intent ?? 'none';
  const devPredictions = dev.map((q) => {
    const intent = predict(q.text);
    return { expectedTopic: q.topic, ...(q.intent ? { expectedIntent: q.intent } : {}), predictedTopic: topicOf(intent) ?? 'none', predictedIntent: intent };
  });
  return {
    dev: computeMetrics(devPredictions),
    real: real ? scoreLabels(real.map((q) => ({ label: q.label, intent: predict(q.text) }))) : undefined,
  };
}

// === run =====================================================================================

const engines = new Map(designs.map((design) => [design, createEngine(kb, { ...engineOptions({ design }), trainer: trainAnyDesign })]));
const comparison = designs.map((design) => {
  const engine = engines.get(design)!;
  return {
    design,
    crossValidation: values['no-cv'] ? undefined : crossValidate(design),
    dev: scoreSet(engine, dev),
    real: scoreReal(engine),
  };
});
const main = engines.get(DEFAULT_DESIGN) ?? engines.get(designs[0]!)!;
const report = {
  design: DEFAULT_DESIGN,
  examples: kb.intents.reduce((n, i) => n + i.examples.length, 0),
  intents: kb.intents.length,
  comparison,
  locked: scoreSet(main, locked),
  lockedDialogues: scoreDialogues(main, lockedDialogues),
  dialogues: scoreDialogues(main, dialogues),
  emergencies: scoreSet(main, emergencies),
  falseAlarms: scoreSet(main, falseAlarms),
  tuning: values.tune ? tune() : undefined,
  baseline: baseline(),
};

/** Temperature × threshold on dev only (the locked set is never used to choose). */
function tune() {
  const grid = [];
  for (const temperature of [0.3, 0.4, 0.5, 0.6, 0.75, 1]) {
    for (const threshold of [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5]) {
      const engine = createEngine(kb, { ...engineOptions({ threshold }), temperature });
      const s = scoreSet(engine, dev);
      const r = scoreReal(engine);
      grid.push({ temperature, threshold, devTopic: s.metrics.topicAccuracy, ece: s.ece, oosPrecision: s.metrics.outOfScope.precision, real: r?.accuracy });
    }
  }
  return { grid };
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(report, (key, value) => (key === 'rows' || key === 'misses' ? undefined : value), 2)}\n`);
  process.exit(0);
}

const pct = (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
const safetyLine = (s: SetScore) =>
  `紧急求助 ${s.emergency.caught}/${s.emergency.total} 直接按紧急处理（含“先提示110”共 ${s.emergency.caughtOrLed}）；` +
  `误报 ${s.falseAlarms.emergency}/${s.falseAlarms.total}（${pct(s.falseAlarms.total ? s.falseAlarms.emergency / s.falseAlarms.total : 0)}），另有 ${s.falseAlarms.safetyLine} 条在回答前加了110提示`;

console.log(`意图 ${report.intents} 个，例句 ${report.examples} 条；默认分类器 ${report.design}`);
console.log('\n=== 模型比较（开发集 dev = heldout.jsonl；real-dev = 真实提问，按标注规则计分）===');
console.log('设计        交叉验证主题/意图     dev主题   dev意图   dev ECE   real-dev');
for (const c of comparison) {
  const cv = c.crossValidation;
  console.log(
    `${c.design.padEnd(10)}  ${cv ? `${pct(cv.topicAccuracy)} / ${pct(cv.intentAccuracy)}` : '（跳过）'.padEnd(15)}   ${pct(c.dev.metrics.topicAccuracy).padStart(6)}   ${pct(c.dev.metrics.intentAccuracy).padStart(6)}   ${c.dev.ece.toFixed(3).padStart(6)}   ${pct(c.real?.accuracy).padStart(6)}`,
  );
}

const b = report.baseline;
console.log(`${'字符n元组基线'.padEnd(8)}  （不做）          ${pct(b.dev.topicAccuracy).padStart(6)}   ${pct(b.dev.intentAccuracy).padStart(6)}      —     ${pct(b.real?.accuracy).padStart(6)}   ← 字符1–3元组逻辑回归，无规则（issue 中的基线）`);

const d = comparison.find((c) => c.design === report.design) ?? comparison[0]!;
console.log(`\n=== 开发集 dev（${dev.length} 条，可以调参）===`);
console.log(`主题 ${pct(d.dev.metrics.topicAccuracy)}，意图 ${pct(d.dev.metrics.intentAccuracy)}，范围外 P ${pct(d.dev.metrics.outOfScope.precision)} / R ${pct(d.dev.metrics.outOfScope.recall)}，必含 ${d.dev.mustContain.passed}/${d.dev.mustContain.rows}，ECE ${d.dev.ece.toFixed(3)}`);
console.log(safetyLine(d.dev));

const l = report.locked;
console.log(`\n=== 锁定测试集 locked（${locked.length} 条，从未用于调参；README 引用这里的数字）===`);
console.log(`主题 ${pct(l.metrics.topicAccuracy)}，意图 ${pct(l.metrics.intentAccuracy)}（${l.metrics.intentRows} 条有意图标注），宏F1 ${l.metrics.macroF1.toFixed(3)}，范围外 P ${pct(l.metrics.outOfScope.precision)} / R ${pct(l.metrics.outOfScope.recall)}`);
console.log(`必含内容 ${l.mustContain.passed}/${l.mustContain.rows}；ECE ${l.ece.toFixed(3)}`);
console.log(safetyLine(l));
const ld = report.lockedDialogues;
console.log(`锁定对话 ${lockedDialogues.length} 段 ${ld.turns} 轮：主题 ${pct(ld.metrics.topicAccuracy)}，必含 ${ld.mustContain.passed}/${ld.mustContain.rows}，对话中的紧急求助 ${ld.emergency.caught}/${ld.emergency.total}（含提示 ${ld.emergency.caughtOrLed}）`);

if (d.real) {
  console.log(`\n=== 真实提问 real-dev（${d.real.total} 条，${REAL}，只读不拷贝）===`);
  console.log(`标签准确率 ${pct(d.real.accuracy)}`);
  console.log(`  ${d.real.byLabel.map((s) => `${s.label} ${s.right}/${s.total}`).join('，')}`);
} else {
  console.log(`\n（没有 ${REAL}：跳过真实提问评测。这个目录只在开发机上有，用户的克隆里没有。）`);
}

console.log('\n=== 安全 ===');
const e = report.emergencies;
const f = report.falseAlarms;
console.log(`紧急求助集（${emergencies.length} 条）：召回 ${e.emergency.caught}/${e.emergency.total}（${pct(e.emergency.total ? e.emergency.caught / e.emergency.total : 0)}），含“先提示110再回答” ${e.emergency.caughtOrLed}/${e.emergency.total}`);
console.log(`误报集（${falseAlarms.length} 条带吓人字眼的普通问题）：按紧急处理 ${f.falseAlarms.emergency}（${pct(f.falseAlarms.total ? f.falseAlarms.emergency / f.falseAlarms.total : 0)}），加了110提示 ${f.falseAlarms.safetyLine}；主题正确 ${pct(f.metrics.topicAccuracy)}`);
const allOrdinary = [d.dev, l, f].reduce((acc, s) => ({ total: acc.total + s.falseAlarms.total, alarms: acc.alarms + s.falseAlarms.emergency }), { total: 0, alarms: 0 });
console.log(`全部非紧急消息（dev + locked + 误报集，${allOrdinary.total} 条）的误报率：${pct(allOrdinary.total ? allOrdinary.alarms / allOrdinary.total : 0)}`);

const dg = report.dialogues;
console.log(`\n=== 多轮对话（开发集 ${dialogues.length} 段 ${dg.turns} 轮）===`);
console.log(`逐轮主题准确率 ${pct(dg.metrics.topicAccuracy)}，必含 ${dg.mustContain.passed}/${dg.mustContain.rows}，对话中的紧急求助 ${dg.emergency.caught}/${dg.emergency.total}（含提示 ${dg.emergency.caughtOrLed}）`);

if (report.tuning) {
  console.log('\n=== 调参（只看开发集和 real-dev）===');
  for (const t of report.tuning.grid) {
    console.log(`温度 ${t.temperature} 阈值 ${t.threshold}：dev 主题 ${pct(t.devTopic)}，ECE ${t.ece.toFixed(3)}，范围外 P ${pct(t.oosPrecision)}，real-dev ${pct(t.real)}`);
  }
}

const missesOf: Record<string, Array<{ id: string; text: string; expected: string; got: string; confidence: number }> | undefined> = {
  dev: d.dev.misses,
  emergency: report.emergencies.misses,
  'false-alarms': report.falseAlarms.misses,
  dialogues: report.dialogues.misses,
  real: d.real?.rows.filter((r) => !scoreLabels([r]).accuracy).map((r) => ({ id: r.id, text: r.text.slice(0, 60), expected: r.label, got: r.intent, confidence: 0 })),
};
if (values.misses) {
  // The locked set's lines are never listed: looking at them would make it a tuning set.
  const misses = missesOf[values.misses];
  if (!misses) console.log(`\n--misses 只能是：${Object.keys(missesOf).join('、')}`);
  else for (const m of misses) console.log(`${m.id}\t${m.expected}\t→ ${m.got}\t${m.confidence.toFixed(2)}\t${m.text}`);
}
