import { TOPIC_LABELS, isTopic } from '../knowledge/topics.ts';
import { toCsv } from '../lib/csv.ts';
import { CHANNEL_LABELS } from './conversations.ts';
import type { DashboardReport } from './dashboard.ts';

/**
 * The dashboard's tables as one CSV for a spreadsheet: the figures, then one block per table,
 * blank rows between, headers and names in Chinese. Citizens' questions are in it, so every cell
 * goes through `toCsv` (formula injection).
 */

export const topicName = (topic: string) => (isTopic(topic) ? TOPIC_LABELS[topic] : topic === 'none' ? '未理解' : topic);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

export function dashboardCsv(report: DashboardReport): string {
  const { range } = report;
  const rows: string[][] = [
    ['乐平法律服务机器人 看板', `${range.from} 至 ${range.to}`],
    [],
    ['指标', '数值'],
    ['消息数', String(report.total)],
    ['对话数', String(report.conversations)],
    ['未理解率', percent(report.fallbackRate)],
    ['转人工', String(report.handoffs)],
    ['好评', String(report.feedback.up)],
    ['差评', String(report.feedback.down)],
    [],
    ['渠道', '消息数', '对话数', '未理解', '转人工', '好评', '差评'],
    ...report.channels.map((row) => [CHANNEL_LABELS[row.channel] ?? row.channel, ...[row.messages, row.conversations, row.missed, row.handoffs, row.up, row.down].map(String)]),
    [],
    ['日期', '消息数', '未理解'],
    ...report.perDay.map((row) => [row.day, String(row.count), String(row.fallback)]),
    [],
    ['主题', '消息数', '好评', '差评', '差评率'],
    ...report.topicFeedback.map((row) => [topicName(row.topic), String(row.messages), String(row.up), String(row.down), percent(row.downRate)]),
    [],
    ['未能回答的问题', '次数', '最近一次', '其他问法'],
    ...report.unanswered.map((row) => [row.text, String(row.count), row.lastAt, row.examples.join(' / ')]),
  ];
  return toCsv(rows);
}
