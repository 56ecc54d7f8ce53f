import type { z } from 'zod';

/**
 * How a problem in an intent or a fact reads to an admin: the field in the words of the editor
 * (例句, 使用的事实…) rather than the YAML key, and zod's own English messages (for a missing
 * field, an unknown key, a value not in a list) in Chinese. The messages our schemas set are
 * already Chinese and pass through.
 */

const FIELDS: Record<string, string> = {
  name: '意图名',
  description: '说明',
  question: '问题标签',
  priority: '优先级',
  keywords: '关键词',
  patterns: '正则',
  examples: '例句',
  answer: '答案',
  'answer.facts': '使用的事实',
  'answer.missing': '没有的信息',
  'answer.missingAsk': '转介电话',
  'answer.flow': '引导流程',
  followups: '追问意图',
  id: '编号',
  topic: '主题',
  text: '正文',
  figures: '正文中出现的数字',
  source: '来源',
  'source.id': '来源',
  'source.section': '章节或条款',
  scope: '范围',
  asOf: '数据截至',
  reviewBy: '复核日期',
  updatedAt: '修改时间',
  updatedBy: '修改人',
};

/** `['examples', 3]` → `例句（第 4 条）`; `['answer', 'facts', 0]` → `使用的事实（第 1 条）`. */
export function fieldName(path: readonly PropertyKey[]): string {
  const keys = path.filter((part): part is string => typeof part === 'string');
  const index = [...path].reverse().find((part): part is number => typeof part === 'number');
  const key = keys.join('.');
  const name = FIELDS[key] ?? FIELDS[keys[0] ?? ''] ?? (key || '整条');
  return index === undefined ? name : `${name}（第 ${index + 1} 条）`;
}

const TYPES: Record<string, string> = { string: '文字', number: '数字', array: '列表', object: '键值结构（名称: 内容）', boolean: '是/否' };

/** zod's message in Chinese when it is zod's default (English); our own messages unchanged. */
export function chineseZodMessage(issue: z.core.$ZodIssue): string {
  if (/[\u4e00-\u9fff]/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      // zod leaves `input` out of issues unless asked, so a missing field is read from its message.
      if (/received undefined/.test(issue.message)) return '必填，不能缺少';
      return `${issue.path.length === 0 ? '文件内容' : ''}应为${TYPES[issue.expected] ?? issue.expected}`;
    case 'unrecognized_keys':
      return `不认识的字段：${issue.keys.join('、')}`;
    case 'invalid_value':
      return `只能是 ${issue.values.map(String).join('、')} 之一`;
    case 'too_small':
      return issue.origin === 'array' ? `至少需要 ${String(issue.minimum)} 条` : `至少 ${String(issue.minimum)} 个字`;
    case 'too_big':
      return issue.origin === 'array' ? `最多 ${String(issue.maximum)} 条` : `最多 ${String(issue.maximum)} 个字`;
    case 'invalid_format':
      return '格式不对';
    default:
      return `填写有误（${issue.message}）`;
  }
}
