import { beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledgeFromDisk } from '../src/adapters/knowledge-files.ts';
import { engineOptions } from '../src/bootstrap.ts';
import type { DialogueState } from '../src/dialogue/types.ts';
import { createEngine, type Engine } from '../src/engine.ts';
import type { KnowledgeBase } from '../src/knowledge/schema.ts';

const FIXTURE = { intentsDir: 'test/fixtures/kb/intents', dataDir: 'test/fixtures/kb/data' };
let kb: KnowledgeBase;
let engine: Engine;

beforeAll(async () => {
  const loaded = await loadKnowledgeFromDisk(FIXTURE);
  expect(loaded.issues.filter((i) => i.severity === 'error')).toEqual([]);
  kb = loaded.kb as KnowledgeBase;
  engine = createEngine(kb, engineOptions({}));
});

const ask = (text: string, state?: DialogueState) => engine.respond({ kind: 'text', text }, state);

describe('engine', () => {
  it('answers from the fact store and names the source', () => {
    const { reply, trace } = ask('法律援助怎么申请');
    expect(reply.intent).toBe('legal_aid.how_to_apply');
    expect(reply.kind).toBe('answer');
    expect(reply.text).toContain('法律援助机构');
    expect(reply.text).toContain('来源：《中华人民共和国法律援助法》第三十八条');
    expect(reply.sources[0]?.scope).toBe('national');
    expect(trace.facts.map((f) => f.id)).toEqual(['legal_aid.apply_where']);
    expect(reply.suggestions.map((s) => s.intent)).toContain('legal_aid.materials');
  });

  it('understands a homophone typo and traditional characters', () => {
    expect(ask('法律缘助怎麼申請').reply.intent).toBe('legal_aid.how_to_apply');
  });

  it('says what it does not hold and points to 12348 instead of guessing', () => {
    const { reply } = ask('调委会地址在哪里');
    expect(reply.intent).toBe('mediation.where');
    expect(reply.text).toContain('各调解委员会的地址和办公时间');
    expect(reply.text).toContain('12348');
    expect(reply.text).toContain('2020年');
    expect(reply.text).toContain('注：以上为乐平市2020年的数据');
  });

  it('lets an emergency override everything, with 110 in the first line', () => {
    const { reply, trace } = ask('我老公正在打我，我想申请法律援助');
    expect(reply.kind).toBe('emergency');
    expect(reply.text.split('\n')[0]).toContain('110');
    expect(trace.decidedBy).toBe('emergency');
  });

  it('resolves an elliptical follow-up from the previous turn', () => {
    const first = ask('请不起律师怎么办');
    expect(first.reply.topic).toBe('legal_aid');
    const second = ask('那要带什么材料？', first.state);
    expect(second.reply.intent).toBe('legal_aid.materials');
  });

  it('reads "在哪里办" after a mediation answer as mediation.where', () => {
    const first = ask('人民调解收费吗');
    const second = ask('在哪里办', first.state);
    expect(second.reply.intent).toBe('mediation.where');
  });

  it('forgets context after the silence limit', () => {
    const first = ask('请不起律师怎么办');
    const later = new Date(Date.now() + 2 * 60 * 60 * 1000);
    const second = engine.respond({ kind: 'text', text: '那要带什么材料？' }, first.state, later);
    expect(second.trace.decidedBy).not.toBe('context');
  });

  it('asks for clarification with the topic menu when it does not understand', () => {
    const { reply } = ask('叽里咕噜巴拉巴拉');
    expect(reply.kind).toBe('clarify');
    expect(reply.intent).toBe('none');
    expect(reply.suggestions.length).toBeGreaterThan(0);
  });

  it.each([
    ['', 'invalid'],
    ['😀😀😀', 'invalid'],
    ['\u0000\u0001\uFFFD\uFFFD\u0002\u0003', 'invalid'],
  ])('answers bad input %j clearly', (text, kind) => {
    const { reply } = ask(text);
    expect(reply.kind).toBe(kind);
    expect(reply.text.length).toBeGreaterThan(5);
  });

  it('answers a 100,000-character message from its start', () => {
    const { reply } = ask(`法律援助怎么申请${'啊'.repeat(100_000)}`);
    expect(reply.intent).toBe('legal_aid.how_to_apply');
    expect(reply.text).toContain('消息很长');
  });

  it('replies to a sticker or voice message in Chinese', () => {
    const { reply } = engine.respond({ kind: 'unsupported', what: 'voice' }, undefined);
    expect(reply.kind).toBe('unsupported');
    expect(reply.text).toContain('12348');
  });

  it('answers a stale or forged button politely', () => {
    const { reply } = engine.respond({ kind: 'intent', intent: 'legal_aid.no_such_thing' }, undefined);
    expect(reply.kind).toBe('clarify');
  });

  it('runs the legal-aid self-check, and a normal question leaves it', () => {
    const start = ask('我能不能申请法律援助');
    expect(start.reply.kind).toBe('flow');
    expect(start.reply.choices.map((c) => c.value)).toContain('wages');
    const step2 = engine.respond({ kind: 'choice', value: 'wages' }, start.state);
    expect(step2.reply.text).toContain('经济困难');
    const typed = ask('1', step2.state); // typed instead of tapped
    expect(typed.reply.text).toContain('有可能获得法律援助');
    expect(typed.reply.text).toContain('法律援助机构决定');
    expect(typed.state.flow).toBeUndefined();

    const again = ask('我能不能申请法律援助');
    const left = ask('人民调解收费吗', again.state);
    expect(left.reply.intent).toBe('mediation.what_is');
    expect(left.state.flow).toBeUndefined();
  });

  it('refuses invalid data on swap and keeps serving the last good set', () => {
    const broken: KnowledgeBase = {
      ...kb,
      intents: kb.intents.map((i) => (i.name === 'mediation.what_is' ? { ...i, answer: { facts: ['mediation.nope'] } } : i)),
    };
    const result = engine.swap(broken);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.some((i) => i.code === 'E_UNKNOWN_FACT')).toBe(true);
    expect(ask('人民调解收费吗').reply.text).toContain('不收任何费用');
  });

  it('answers with new data right after a valid swap', () => {
    const local = createEngine(kb, engineOptions({}));
    const edited: KnowledgeBase = {
      ...kb,
      facts: kb.facts.map((f) => (f.id === 'mediation.free' ? { ...f, text: '人民调解免费，这是改过的说法。' } : f)),
    };
    const result = local.swap(edited);
    expect(result.ok).toBe(true);
    expect(local.version()).toBe(2);
    expect(local.respond({ kind: 'text', text: '人民调解收费吗' }, undefined).reply.text).toContain('改过的说法');
  });

  it('answers the main matter of a long story and offers the other one', () => {
    const story = '家里穷请不起律师能申请援助吗，我想申请法律援助去打官司。另外我和邻居为了排水的事闹矛盾好几年了，想找调委会调解一下。';
    const { reply, trace } = ask(story);
    expect(reply.topic).toBe('legal_aid');
    expect(trace.otherIntents.some((name) => name.startsWith('mediation.'))).toBe(true);
    expect(reply.text).toContain('您还提到了：人民调解');
    expect(reply.suggestions[0]?.intent).toMatch(/^mediation\./);
  });

  it('reads past a leading greeting to the question', () => {
    expect(ask('你好，法律援助怎么申请').reply.intent).toBe('legal_aid.how_to_apply');
    expect(ask('你好').reply.intent).toBe('chitchat.greet');
  });

  it('never answers with an emergency intent on a weak classifier score alone', () => {
    const { reply } = ask('房产证上写我老公的名字还是我的名字好呢');
    expect(reply.kind).not.toBe('emergency');
    expect(reply.topic).not.toBe('emergency');
  });

  it('points a long story it cannot place to 12348 instead of guessing', () => {
    const { reply } = ask('叽里咕噜巴拉巴拉咕噜咕噜叽叽喳喳巴拉巴拉呜啦呜啦');
    expect(reply.kind).toBe('clarify');
    expect(reply.text).toContain('12348');
    expect(reply.text).not.toBe(ask('叽里咕噜').reply.text);
  });

  it('keeps the last turns with personal numbers masked for a handoff', () => {
    const { state } = ask('我电话13812345678，法律援助怎么申请');
    expect(state.history[0]?.text).not.toContain('13812345678');
  });
});

describe('what the engine keeps for a handoff', () => {
  it('masks an ID number that straddles the length kept in the history', () => {
    const idCard = '360281199001011234';
    const text = `${'我想咨询一下我的情况。'.repeat(26)}我的身份证号是${idCard}，请帮我看看`;
    expect(text.indexOf(idCard)).toBeLessThan(300);
    expect(text.indexOf(idCard) + idCard.length).toBeGreaterThan(300);
    const kept = ask(text).state.history[0]!.text;
    expect(kept.replace(/\D/g, '')).not.toContain(idCard.slice(0, 7));
  });
});
