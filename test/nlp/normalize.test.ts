import { describe, expect, it } from 'vitest';
import { createNormalizer, MAX_MESSAGE_CHARS } from '../../src/nlp/normalize.ts';

const normalize = createNormalizer({ 赣服通: ['干服通', '甘服通'], 法律援助: ['法律缘助'], 调解: ['调节'] });

describe('normalize', () => {
  it.each([
    ['ｇａｎ服通１２３４８', 'gan服通12348'],
    ['我想申請法律援助，要帶什麼材料？', '我想申请法律援助,要带什么材料?'],
    ['干服通怎么用', '赣服通怎么用'],
    ['法律缘助', '法律援助'],
    ['邻居纠纷能调节吗', '邻居纠纷能调解吗'],
    ['一二三四八是干什么的', '12348是干什么的'],
    ['幺幺零', '110'],
    ['三个人', '三个人'],
    ['法\u200b律\u200d援助', '法律援助'],
    ['  多个   空格\n换行  ', '多个 空格 换行'],
    ['HELLO', 'hello'],
    ['😭😭我被打了', '我被打了'],
  ])('%s → %s', (raw, expected) => {
    expect(normalize(raw).text).toBe(expected);
  });

  it('flags empty, emoji-only and binary input instead of failing', () => {
    expect(normalize('').empty).toBe(true);
    expect(normalize('   \u200b ').empty).toBe(true);
    expect(normalize('👍👍🙏').emojiOnly).toBe(true);
    expect(normalize('\u0000\u0001\u0002\uFFFD\uFFFDabc\u0003').binary).toBe(true);
    expect(normalize('普通的问题').binary).toBe(false);
  });

  it('caps a huge message and says so', () => {
    const result = normalize('工资'.repeat(50_000));
    expect(result.text.length).toBe(MAX_MESSAGE_CHARS);
    expect(result.truncated).toBe(true);
    expect(result.originalLength).toBe(100_000);
  });
});
