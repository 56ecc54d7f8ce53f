import type { EngineResult, Reply } from '../../dialogue/types.ts';
import type { BenchReport } from '../../admin/bench.ts';
import { createLabels, type Labels } from '../../knowledge/labels.ts';

/** Pure text formatting for the staff CLI (table-tested). */

export function formatReply(reply: Reply): string {
  const lines = [reply.text];
  if (reply.choices.length > 0) {
    lines.push('', ...reply.choices.map((choice, i) => `  [${i + 1}] ${choice.label}`));
  }
  // An ambiguous question already numbers its options in the text.
  if (reply.suggestions.length > 0 && reply.kind !== 'ambiguous') {
    lines.push('', '您还可以问：', ...reply.suggestions.map((s, i) => `  (${i + 1}) ${s.label}`));
  }
  return lines.join('\n');
}

const DECIDED_BY: Record<string, string> = {
  emergency: '紧急规则', rule: '关键词规则', classifier: '分类器', context: '上下文',
  button: '按钮', flow: '引导流程', fallback: '未理解（低于阈值）', input: '输入无效',
};

const DANGER_LEVEL = { none: '无', possible: '不确定（回答前先提示110/120）', certain: '正在发生（紧急回复）' } as const;

/** No knowledge at hand: ids are shown as they are. */
const NO_NAMES = createLabels([]);

export function formatExplanation(result: EngineResult, labels: Labels = NO_NAMES): string {
  const { trace, reply } = result;
  const bar = (score: number) => '█'.repeat(Math.round(score * 20)).padEnd(20, '·');
  return [
    '── 解释 ──',
    `规范化文本：${trace.normalized}`,
    `分词：${trace.tokens.join(' / ')}`,
    `决定方式：${DECIDED_BY[trace.decidedBy] ?? trace.decidedBy}${trace.rule ? `（规则 ${trace.rule.intent} 命中「${trace.rule.match}」）` : ''}`,
    `结果：${labels.intentWithId(reply.intent)}（${reply.kind}，置信度 ${reply.confidence.toFixed(3)}，阈值 ${trace.threshold}）`,
    ...(trace.danger ? [`危险判断：${DANGER_LEVEL[trace.danger.level]}${trace.danger.reason ? `（${trace.danger.reason}）` : ''}`] : []),
    '前5个意图：',
    ...trace.ranked.map((r) => `  ${bar(r.score)} ${r.score.toFixed(3)}  ${labels.intentWithId(r.intent)}`),
    ...(trace.otherIntents.length ? [`另提到：${trace.otherIntents.join('、')}`] : []),
    `使用的事实：${trace.facts.length ? trace.facts.map((f) => `${f.id}（来源 ${f.source}）`).join('、') : '无'}`,
  ].join('\n');
}

/**
 * Terminal columns a string takes: CJK and full-width characters take two, so padding by
 * `length` would push the numbers after a Chinese topic name out of line.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += /[\u1100-\u115f\u2e80-\u303e\u3040-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char) ? 2 : 1;
  return width;
}

const padEnd = (text: string, width: number) => text + ' '.repeat(Math.max(1, width - displayWidth(text)));

export function formatBatchReport(report: BenchReport, labels: Labels = NO_NAMES, maxMisses = 50): string {
  const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
  const names = report.byTopic.map((t) => labels.topicWithId(t.topic));
  const width = Math.max(20, ...names.map(displayWidth)) + 1;
  const lines = [
    `共 ${report.rows.length} 条，其中 ${report.scored} 条有预期；正确 ${report.correct} 条，准确率 ${pct(report.accuracy)}`,
    '',
    `${padEnd('主题', width)}条数   正确   准确率`,
    ...report.byTopic.map((t, i) => `${padEnd(names[i]!, width)}${String(t.total).padStart(4)}  ${String(t.correct).padStart(5)}   ${pct(t.accuracy).padStart(6)}`),
  ];
  if (report.misses.length > 0) {
    lines.push('', `答错的（${report.misses.length} 条，最多显示 ${maxMisses} 条）：`);
    for (const miss of report.misses.slice(0, maxMisses)) {
      const expected = miss.expectedIntent ?? miss.expectedTopic ?? '';
      const why =
        miss.intent === expected || miss.topic === expected
          ? '答案缺少必含内容'
          : `预期 ${labels.expectedWithId(expected)}，得到 ${labels.intentWithId(miss.intent)}`;
      lines.push(`  [${miss.id}] ${miss.text.slice(0, 40)} → ${why}（${miss.confidence.toFixed(2)}）`);
    }
  }
  return lines.join('\n');
}
