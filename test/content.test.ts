import { beforeAll, describe, expect, it } from 'vitest';
import { bootCore } from '../src/bootstrap.ts';
import type { DialogueState, EngineInput } from '../src/dialogue/types.ts';
import type { Engine } from '../src/engine.ts';

/**
 * The routes citizens need most, asked the way they ask, on the shipped knowledge: each answer
 * must name the right body and deadline, and must not send them somewhere wrong.
 */
let engine: Engine;
beforeAll(async () => {
  engine = (await bootCore({ intentsDir: 'intents', dataDir: 'data' })).engine;
});
const ask = (text: string, state?: DialogueState) => engine.respond({ kind: 'text', text }, state);
const send = (input: EngineInput, state?: DialogueState) => engine.respond(input, state);

describe('work injury (工伤保险条例)', () => {
  it('gives the application deadlines: the employer 30 days, the worker 1 year', () => {
    const { reply } = ask('工伤认定多长时间内要申请');
    expect(reply.intent).toBe('triage.labor_injury_deadline');
    expect(reply.text).toContain('30日内');
    expect(reply.text).toContain('1年内');
    expect(reply.text).toContain('工伤保险条例');
  });

  it('tells a worker whose employer will not apply to apply at the social-insurance department', () => {
    const { reply } = ask('在工地摔伤了，单位不给申请工伤认定怎么办');
    expect(reply.intent).toBe('triage.labor_injury');
    expect(reply.text).toContain('社会保险行政部门');
    expect(reply.text).toContain('1年内');
    expect(reply.text.split('\n')[0]).toContain('工伤认定做了没有');
  });

  it('sends a dispute about the recognition decision to reconsideration or court, not arbitration', () => {
    const { reply } = ask('工伤认定结论出来说不算工伤，我不服');
    expect(reply.intent).toBe('triage.labor_injury_dispute');
    expect(reply.text).toContain('行政复议');
    expect(reply.text).toContain('行政诉讼');
    expect(reply.text).not.toContain('劳动争议仲裁委员会');
  });

  it('follows a work-injury story into the deadline', () => {
    const first = ask('在厂里被机器压伤了手，老板说不算工伤');
    expect(first.reply.intent).toMatch(/^triage\.labor/);
    const { reply } = ask('那认定要在多久之内申请', first.state);
    expect(reply.intent).toBe('triage.labor_injury_deadline');
    expect(reply.text).toContain('30日内');
  });
});

describe('protection orders (反家庭暴力法)', () => {
  it('names the basic-level court, the 72/24 hours and the 6 months', () => {
    const { reply } = ask('保护令去哪个法院申请');
    expect(reply.intent).toBe('triage.family_protection_order');
    expect(reply.text).toContain('基层人民法院');
    expect(reply.text).toContain('72小时');
    expect(reply.text).toContain('24小时');
    expect(reply.text).toContain('6个月');
  });

  it('continues from a domestic-violence emergency into the protection order', () => {
    const first = ask('我老公打我');
    expect(first.reply.kind).toBe('emergency');
    expect(first.reply.suggestions.map((s) => s.intent)).toContain('triage.family_protection_order');
    const { reply } = ask('保护令怎么申请', first.state);
    expect(reply.intent).toBe('triage.family_protection_order');
  });
});

describe('reconsideration', () => {
  it('states the 60 days in the what-is and how-to-apply answers themselves', () => {
    expect(ask('行政复议是什么').reply.text).toContain('60日');
    expect(ask('行政复议怎么申请').reply.text).toContain('60日');
  });

  it('requires reconsideration first for a fine given on the spot', () => {
    const { reply } = ask('交警罚单不服');
    expect(reply.intent).toBe('reconsideration.on_the_spot_fine');
    expect(reply.text.split('\n')[0]).toContain('先申请行政复议');
  });

  it('leads with the body one level up when the tax bureau is named', () => {
    const { reply } = ask('税务局罚款不服');
    expect(reply.intent).toBe('reconsideration.special_bodies');
    expect(reply.text.split('\n')[0]).toContain('上一级主管部门');
  });
});

describe('misroutes of the past', () => {
  it('treats being beaten as assault: police, police mediation, compensation, legal aid', () => {
    const { reply } = ask('我被打了，对方不赔医药费');
    expect(reply.intent).toBe('triage.criminal_assault');
    expect(reply.text).toContain('110');
    expect(reply.text).toContain('调解');
    expect(reply.text).toContain('法律援助');
    expect(reply.text).toContain('治安管理处罚法（2025年修订）');
  });

  it('makes the keeper of a dog liable', () => {
    const { reply } = ask('被狗咬了');
    expect(reply.intent).toBe('triage.animal_bite');
    expect(reply.text).toContain('饲养人');
    expect(reply.text).toContain('第一千二百四十五条');
  });
});

describe('divorce (民法典)', () => {
  it('sends an agreed divorce to the marriage registry, with the 30-day cooling-off period', () => {
    const { reply } = ask('离婚协议去哪办');
    expect(reply.intent).toBe('triage.family_divorce_agreement');
    expect(reply.text).toContain('婚姻登记机关');
    expect(reply.text).toContain('冷静期');
    expect(reply.text).toContain('30日');
  });

  it('sends a divorce the other side refuses to court', () => {
    const { reply } = ask('我想离婚他死活不同意');
    expect(reply.intent).toBe('triage.family_divorce_lawsuit');
    expect(reply.text).toContain('人民法院起诉');
  });
});

describe('land', () => {
  it('answers a forced demolition with reconsideration in 60 days or a suit in 6 months, never farmland arbitration', () => {
    const { reply } = ask('房子被强拆了');
    expect(reply.intent).toBe('triage.land_expropriation');
    expect(reply.text).toContain('60日');
    expect(reply.text).toContain('6个月');
    expect(reply.text).not.toContain('农村土地承包仲裁委员会申请仲裁');
  });

  it('sends a homestead dispute to the people\'s government first, then court within 30 days', () => {
    const { reply } = ask('宅基地被邻居占了');
    expect(reply.intent).toBe('triage.land_homestead');
    expect(reply.text).toContain('人民政府处理');
    expect(reply.text).toContain('30日内');
  });
});

describe('traffic accidents', () => {
  it('gives scene advice only when the accident is happening now', () => {
    const now = ask('刚才在路口出车祸了怎么办').reply;
    expect(now.intent).toBe('triage.traffic_scene');
    expect(now.text).toContain('保护现场');
    const after = ask('上个月出了车祸，对方到现在不赔钱').reply;
    expect(after.intent).toBe('triage.traffic');
    expect(after.text).not.toContain('立即停车');
    expect(after.text).toContain('法律援助');
    expect(after.text).toContain('3年');
  });
});

describe('the legal-aid self-check', () => {
  const start = () => ask('帮我看看能不能申请法律援助');
  const choose = (value: string, state: DialogueState) => send({ kind: 'choice', value }, state);

  it('does not ask about hardship after a category exempt from the means test', () => {
    const s1 = start();
    const s2 = choose('wages', s1.state);
    const result = choose('migrant', s2.state).reply;
    expect(result.text).not.toContain('第3步');
    expect(result.text).not.toContain('如实说明');
    expect(result.text).toContain('免于核查');
  });

  it('gives pollution damage its listed path', () => {
    const s2 = choose('pollution', start().state);
    expect(s2.reply.text).toContain('第2步');
  });

  it('gives a crime victim and a minor suspect their own results', () => {
    expect(choose('victim', start().state).reply.text).toContain('受害人');
    const s2 = choose('suspect', start().state);
    const minor = choose('minor', s2.state).reply;
    expect(minor.text).toContain('必须通知法律援助机构');
  });

  it('a button of a finished self-check says the check has ended and offers to restart it', () => {
    const s2 = choose('wages', start().state);
    const finished = choose('migrant', s2.state);
    const stale = choose('wages', finished.state).reply;
    expect(stale.text).toContain('已经结束');
    expect(stale.text).not.toContain('没明白');
    expect(stale.suggestions[0]?.label).toBe('重新评估');
    // Pressing it starts the check again from the first question.
    const again = send({ kind: 'intent', intent: stale.suggestions[0]!.intent }, finished.state).reply;
    expect(again.kind).toBe('flow');
    expect(again.choices.map((choice) => choice.value)).toContain('wages');
  });
});
