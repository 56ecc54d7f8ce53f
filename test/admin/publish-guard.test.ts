import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHistoryFiles } from '../../src/adapters/history-files.ts';
import { loadKnowledgeFromDisk } from '../../src/adapters/knowledge-files.ts';
import { createKnowledgeWriter } from '../../src/adapters/knowledge-writer.ts';
import type { BenchQuestion } from '../../src/admin/bench.ts';
import { createDrafts } from '../../src/admin/drafts.ts';
import { ConfirmationRequiredError } from '../../src/admin/errors.ts';
import { answerSeverity, CONFIRM_PHRASE, emergencyEditDangers } from '../../src/admin/publish-guard.ts';
import type { SafetySet } from '../../src/admin/publish-preview.ts';
import { createPublisher, type LiveCore } from '../../src/admin/publish.ts';
import type { Engine } from '../../src/engine-types.ts';
import { lintKnowledge } from '../../src/knowledge/lint.ts';
import type { KnowledgeBase } from '../../src/knowledge/schema.ts';
import { createKeyedQueue } from '../../src/lib/keyed-queue.ts';
import { createLogger } from '../../src/lib/logger.ts';

/**
 * The publish guard and the preview's per-example effect, over a temp copy of the fixture
 * knowledge and a stand-in engine that answers a text with the intent holding it as an example
 * (so what a draft teaches is exactly what its examples say).
 */

let root: string;
let paths: { intentsDir: string; dataDir: string; historyDir: string };
let live: KnowledgeBase;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'publish-guard-'));
  await cp('test/fixtures/kb', root, { recursive: true });
  paths = { intentsDir: join(root, 'intents'), dataDir: join(root, 'data'), historyDir: join(root, 'runtime', 'history') };
  live = (await loadKnowledgeFromDisk(paths)).kb!;
});
afterEach(() => rm(root, { recursive: true, force: true }));

function engineFor(kb: KnowledgeBase): Engine {
  const intentOf = (text: string) => kb.intents.find((intent) => intent.examples.some((example) => example.trim() === text.trim()))?.name ?? 'none';
  return {
    respond: (input: Parameters<Engine['respond']>[0]) => {
      const intent = input.kind === 'text' ? intentOf(input.text) : 'none';
      return { reply: { kind: 'answer', intent, topic: intent.split('.')[0]!, confidence: 1, text: '', sources: [], suggestions: [], choices: [] } } as unknown as ReturnType<Engine['respond']>;
    },
    knowledge: () => kb,
  } as unknown as Engine;
}

async function setup(options: { safety?: SafetySet[]; buildEngine?: (kb: KnowledgeBase) => Promise<Engine> } = {}) {
  const drafts = await createDrafts({ live: () => live });
  const core: LiveCore = { engine: engineFor(live), reload: async () => ({ ok: true, version: 2, warnings: [] }) };
  const writer = createKnowledgeWriter(paths);
  const publisher = createPublisher({
    core,
    drafts,
    writer,
    history: createHistoryFiles(paths.historyDir),
    queue: createKeyedQueue(),
    heldout: async () => [],
    safety: async () => options.safety ?? [],
    buildEngine: options.buildEngine ?? (async (kb) => engineFor(kb)),
    lint: (kb) => lintKnowledge(kb),
    logger: createLogger('silent'),
  });
  return { drafts, writer, publisher };
}

const question = (id: string, text: string, intent: string): BenchQuestion => ({ id, text, intent, topic: intent.split('.')[0] });

describe('the publish guard', () => {
  it('lists an example added to an emergency intent, and nothing for an ordinary one', () => {
    const draft = {
      intents: live.intents.map((intent) =>
        intent.name === 'emergency.domestic_violence' || intent.name === 'mediation.what_is' ? { ...intent, examples: [...intent.examples, '我想买房贷款'] } : intent,
      ),
    };
    expect(emergencyEditDangers(live, draft)).toEqual([
      { kind: 'emergency_edit', intent: 'emergency.domestic_violence', field: 'examples', change: 'add', text: '我想买房贷款' },
    ]);
  });

  it('lists a keyword taken away from an emergency intent (keywords beat every score)', () => {
    const draft = { intents: live.intents.map((intent) => (intent.name === 'emergency.domestic_violence' ? { ...intent, keywords: ['家暴'] } : intent)) };
    expect(emergencyEditDangers(live, draft)).toEqual([
      { kind: 'emergency_edit', intent: 'emergency.domestic_violence', field: 'keywords', change: 'remove', text: '家庭暴力' },
    ]);
  });

  it.each([
    ['emergency.self_harm', 'triage.debt', 'missed_emergency'],
    ['triage.debt', 'emergency.self_harm', 'false_alarm'],
    ['emergency.self_harm', 'emergency.danger', 'emergency_kind'],
    ['triage.family', 'none', 'other'],
  ])('ranks an answer moving from %s to %s as %s', (before, after, severity) => {
    expect(answerSeverity(before, after)).toBe(severity);
  });

  it('refuses to publish an emergency example without the phrase, writes nothing, and publishes with it', async () => {
    const { drafts, writer, publisher } = await setup();
    await drafts.addExample('emergency.domestic_violence', '我想买房贷款', 'alice');
    const before = await writer.snapshot();

    const refused = await publisher.publish('alice').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConfirmationRequiredError);
    expect((refused as Error).message).toContain(CONFIRM_PHRASE);
    expect(await writer.snapshot()).toEqual(before);
    const wrong = await publisher.publish('alice', { phrase: '确认' }).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(ConfirmationRequiredError);

    const { revision } = await publisher.preview();
    const entry = await publisher.publish('alice', { phrase: CONFIRM_PHRASE, revision });
    expect(entry.confirmedDangers).toBe(1);
    expect((await writer.snapshot())['intents/emergency.yaml']).toContain('我想买房贷款');
  });

  it('refuses a confirmation given for an earlier state of the draft', async () => {
    const { drafts, publisher } = await setup();
    await drafts.addExample('emergency.domestic_violence', '我想买房贷款', 'alice');
    const seen = await publisher.preview();
    await drafts.addExample('emergency.domestic_violence', '买房贷款', 'bob'); // added after alice looked
    const refused = await publisher.publish('alice', { phrase: CONFIRM_PHRASE, revision: seen.revision }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConfirmationRequiredError);
    expect((refused as Error).message).toContain('重新查看');
  });

  it('asks for no phrase when nothing touches emergencies', async () => {
    const { drafts, publisher } = await setup({ safety: [{ name: 'false_alarms', questions: [question('F1', '家暴可以离婚吗', 'emergency.domestic_violence')] }] });
    await drafts.addExample('mediation.what_is', '邻居吵架谁来调解', 'alice');
    expect((await publisher.preview()).dangers).toEqual([]);
    await expect(publisher.publish('alice')).resolves.toMatchObject({ action: 'publish' });
  });

  it('counts a changed answer on the emergency or false-alarm set as dangerous', async () => {
    const safety: SafetySet[] = [
      { name: 'emergency', questions: [question('E1', '我被老公打了', 'emergency.domestic_violence')] },
      { name: 'false_alarms', questions: [question('F1', '调解不成怎么办', 'mediation.what_is')] },
    ];
    const { drafts, publisher } = await setup({ safety });
    // Moving an emergency example to mediation: the emergency question is now answered by mediation.
    const dv = drafts.view().intents.find((entry) => entry.item.name === 'emergency.domestic_violence')!;
    const examples = dv.item.examples.filter((text) => text !== '我被老公打了');
    await drafts.saveIntent(dv.item.name, { ...dv.item, examples: [...examples, '老公又动手了'] }, dv.revision, 'alice');
    await drafts.addExample('mediation.what_is', '我被老公打了', 'alice');
    const preview = await publisher.preview();
    expect(preview.dangers.filter((danger) => danger.kind === 'safety_answer')).toEqual([
      { kind: 'safety_answer', set: 'emergency', id: 'E1', text: '我被老公打了', expected: 'emergency.domestic_violence', before: 'emergency.domestic_violence', after: 'mediation.what_is', severity: 'missed_emergency' },
    ]);
    await expect(publisher.publish('alice')).rejects.toBeInstanceOf(ConfirmationRequiredError);
  });
});

describe('the publish preview', () => {
  it('shows each added example answered before (live) and after (draft)', async () => {
    const { drafts, publisher } = await setup();
    await drafts.addExample('emergency.domestic_violence', '我想买房贷款', 'alice');
    await drafts.addExample('mediation.what_is', '邻居吵架谁来调解', 'alice');
    const preview = await publisher.preview();
    expect(preview.examples).toEqual([
      { intent: 'emergency.domestic_violence', text: '我想买房贷款', before: 'none', after: 'emergency.domestic_violence' },
      { intent: 'mediation.what_is', text: '邻居吵架谁来调解', before: 'none', after: 'mediation.what_is' },
    ]);
  });

  it('judges the draft as it was when the preview started, even if it is edited while the model trains', async () => {
    let release!: () => void;
    const trained = new Promise<void>((resolve) => (release = resolve));
    const { drafts, publisher } = await setup({
      buildEngine: async (kb) => (await trained, engineFor(kb)),
      safety: [{ name: 'false_alarms', questions: [question('F9', '我想买房贷款', 'triage.debt')] }],
    });
    await drafts.addExample('mediation.what_is', '邻居吵架谁来调解', 'alice');
    const pending = publisher.preview();
    await drafts.addExample('emergency.domestic_violence', '我想买房贷款', 'bob'); // lands during training
    release();
    const preview = await pending;
    expect(preview.examples.map((example) => example.text)).toEqual(['邻居吵架谁来调解']);
    expect(preview.dangers).toEqual([]);
    // The next preview sees bob's example: the edit, and the false alarm it causes.
    expect((await publisher.preview()).dangers.map((danger) => danger.kind)).toEqual(['emergency_edit', 'safety_answer']);
  });

  it('shows each changed intent and fact as added and removed lines', async () => {
    const { drafts, publisher } = await setup();
    await drafts.addExample('mediation.what_is', '邻居吵架谁来调解', 'alice');
    const fact = drafts.view().facts.find((entry) => entry.item.id === 'legal_aid.apply_where')!;
    await drafts.saveFact(fact.item.id, { ...fact.item, text: '到市法律援助中心申请。' }, fact.revision, 'alice');
    const { diffs } = await publisher.preview();

    const intent = diffs.find((diff) => diff.id === 'mediation.what_is')!;
    expect(intent).toMatchObject({ kind: 'intent', action: 'edit' });
    expect(intent.lines.filter((line) => line.op !== 'same')).toEqual([{ op: 'add', text: '  - 邻居吵架谁来调解' }]);

    const changed = diffs.find((diff) => diff.id === 'legal_aid.apply_where')!.lines.filter((line) => line.op !== 'same');
    expect(changed).toContainEqual({ op: 'remove', text: `text: ${fact.item.text}` });
    expect(changed).toContainEqual({ op: 'add', text: 'text: 到市法律援助中心申请。' });
  });
});
