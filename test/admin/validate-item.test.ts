import { describe, expect, it } from 'vitest';
import { checkFact, checkIntent } from '../../src/admin/validate-item.ts';
import type { Fact, Intent } from '../../src/knowledge/schema.ts';

const fact: Fact = {
  id: 'legal_aid.apply_where',
  topic: 'legal_aid',
  text: '向法律援助机构申请。',
  figures: [],
  source: { id: 'L1', section: '第三十八条' },
  scope: 'national',
  asOf: '2022-01-01',
};
const other = {
  name: 'mediation.what_is',
  description: '人民调解是什么',
  question: '人民调解是什么？',
  priority: 'normal',
  keywords: [],
  patterns: [],
  examples: ['调解是什么'],
  answer: { facts: [] },
  followups: [],
} as Intent;
const kb = { facts: [fact], intents: [other] };

describe('checking an intent the editor saves', () => {
  it('reports every problem in one go, schema and cross-references, each with its Chinese field name', () => {
    const { intent, issues } = checkIntent(
      {
        name: 'legal_aid.new',
        description: '',
        question: '新问题？',
        examples: ['调解是什么', '只有两条'], // too few, and the first belongs to another intent
        answer: { facts: ['legal_aid.apply_where', 'no.such_fact'] },
        followups: ['mediation.nope'],
      },
      kb,
    );
    expect(intent).toBeUndefined();
    expect(issues.map((found) => [found.field, found.message])).toEqual([
      ['说明', '说明不能为空'],
      ['例句', '至少需要12条例句'],
      ['使用的事实（第 2 条）', '事实 no.such_fact 不存在'],
      ['追问意图（第 1 条）', '追问意图 mediation.nope 不存在'],
      ['例句（第 1 条）', '例句已在 mediation.what_is 中'],
    ]);
    expect(issues.every((found) => found.file === 'intents/legal_aid.yaml')).toBe(true);
  });

  it('says in Chinese what zod would say in English, and flags a field once', () => {
    const { issues } = checkIntent({ name: 'Legal Aid', question: '？', examples: [], answer: {}, extra: 1 }, kb);
    const messages = Object.fromEntries(issues.map((found) => [found.field, found.message]));
    expect(messages['说明']).toBe('必填，不能缺少');
    expect(messages['整条']).toBe('不认识的字段：extra');
    expect(issues.filter((found) => found.field === '意图名')).toHaveLength(1); // bad format, not also "unknown topic"
    expect(issues.every((found) => /[\u4e00-\u9fff]/.test(found.message))).toBe(true);
  });
});

describe('checking a fact the editor saves', () => {
  it('reports the schema and the source and figure checks together', () => {
    const { issues } = checkFact({ ...fact, asOf: '2022/1/1', source: { id: 'X9', section: '一' }, figures: ['37'] }, { sources: [{ id: 'L1', title: '法', kind: 'law' }] });
    expect(issues.map((found) => [found.field, found.message])).toEqual([
      ['数据截至', '日期格式应为 YYYY-MM-DD'],
      ['来源', '来源 X9 不存在'],
      ['正文中出现的数字（第 1 条）', '数字 37 未出现在正文中'],
    ]);
  });
});
