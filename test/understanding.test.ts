import { beforeAll, describe, expect, it } from 'vitest';
import { bootCore } from '../src/bootstrap.ts';
import type { DialogueState } from '../src/dialogue/types.ts';
import type { Engine } from '../src/engine.ts';

/**
 * What a citizen notices, on the shipped knowledge: cries for help without the obvious words,
 * ordinary questions with alarming words, follow-ups that stay on the matter, pinyin and
 * English. The messages are written for these tests, apart from the evaluation sets.
 */
let engine: Engine;
beforeAll(async () => {
  engine = (await bootCore({ intentsDir: 'intents', dataDir: 'data' })).engine;
});
const ask = (text: string, state?: DialogueState) => engine.respond({ kind: 'text', text }, state);

describe('danger now, said without the obvious words', () => {
  it.each([
    '有个人一路跟着我，我现在不敢回家',
    '孩子刚被一个男的拉上车了',
    '我被锁在仓库里出不去',
    '前男友拿着刀在我家门口说要杀了我',
    'SOS 人民公园东门',
    '我老公正在打我',
  ])('%s → the emergency reply, 110 first', (text) => {
    const { reply } = ask(text);
    expect(reply.kind).toBe('emergency');
    expect(reply.text).toMatch(/110/);
  });

  it('reads "他又来砸门了" as danger after a message about past violence', () => {
    const first = ask('我要离婚，他以前喝了酒就打我');
    const { reply } = ask('他又来砸门了', first.state);
    expect(reply.kind).toBe('emergency');
  });
});

describe('ordinary questions with alarming words are answered, not alarmed', () => {
  it.each([
    ['如果我死了，房子和存款怎么分给孩子', 'triage.family'],
    ['要是我不在了，遗嘱应该怎么写才有效', 'triage.family'],
    ['网上买的刀放在哪里退货', 'triage.consumer'],
    ['如果我没了工作，社保怎么办', 'triage.labor'],
  ])('%s → %s', (text, intent) => {
    const { reply } = ask(text);
    expect(reply.kind).not.toBe('emergency');
    expect(reply.safety).toBeUndefined();
    expect(reply.intent).toBe(intent);
  });

  it('leads with 110 when it cannot tell whether the danger is now, and still answers', () => {
    const { reply, trace } = ask('老公昨晚又打我了，我想离婚怎么起诉');
    expect(reply.kind).toBe('answer');
    expect(reply.safety).toBe('possible');
    expect(reply.text.split('\n')[0]).toContain('110');
    expect(reply.intent).toMatch(/^triage\.family/);
    expect(reply.text).toContain('来源');
    expect(trace.danger?.level).toBe('possible');
  });
});

describe('follow-ups stay on the matter', () => {
  it.each([
    ['期限多久', 'reconsideration.deadline', '60'],
    ['向哪里申请', 'reconsideration.how_to_apply', '乐平市人民政府'],
    ['要钱吗', 'reconsideration.cost', '不能向申请人收取任何费用'],
  ])('after a reconsideration answer, %s → %s', (text, intent, mustContain) => {
    const first = ask('对镇政府的罚款决定不服，能申请行政复议吗');
    expect(first.reply.topic).toBe('reconsideration');
    const { reply } = ask(text, first.state);
    expect(reply.intent).toBe(intent);
    expect(reply.text).toContain(mustContain);
  });

  it('a follow-up that names another matter leaves the previous one', () => {
    const first = ask('对镇政府的罚款决定不服，能申请行政复议吗');
    expect(ask('赣服通是什么', first.state).reply.topic).toBe('ganfutong');
  });
});

describe('pinyin and English words', () => {
  it.each([
    ['fa lv yuan zhu zen me shen qing', 'legal_aid.how_to_apply'],
    ['li hun zen me ban', 'triage.family'],
    ['legal aid 怎么申请', 'legal_aid.how_to_apply'],
    ['company 欠我 wages', 'triage.labor'],
  ])('%s → %s', (text, intent) => {
    expect(ask(text).reply.intent).toBe(intent);
  });
});

describe('legal questions outside the nine kinds', () => {
  it('says what kind of question it is and where to ask, instead of not understanding', () => {
    const { reply } = ask('我注册的商标被别人抢先用了，还在网上卖');
    expect(reply.intent).toBe('triage.intellectual_property');
    expect(reply.text).toContain('知识产权');
    expect(reply.text).toContain('12348');
  });
});
