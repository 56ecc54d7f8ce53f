import fc from 'fast-check';
import { join } from 'node:path';
import { bootCore } from '../../src/bootstrap.ts';
import type { DialogueState, EngineInput, Reply } from '../../src/dialogue/types.ts';
import { hasLoneSurrogate, hostileText } from './payloads.ts';
import { REPO } from './server.ts';

/**
 * The engine in process, fed hostile input through its one public call, `respond`. Nothing is
 * asserted here: crashes and bad replies are counted, with a few examples kept for the report.
 */

export const TELEGRAM_TEXT_LIMIT = 4096;

export interface EngineFuzzResult {
  seed: number;
  cases: number;
  crashes: number;
  /** Replies with a lone surrogate: they cannot be encoded as UTF-8 (Telegram refuses them). */
  illFormedReplies: number;
  /** Replies longer than one Telegram message. */
  overLongReplies: number;
  longestReply: number;
  ms: number;
  examples: { problem: string; input: string; detail: string }[];
}

const MAX_EXAMPLES = 5;

export async function fuzzEngine(options: { cases: number; seed: number }): Promise<EngineFuzzResult> {
  const core = await bootCore({ intentsDir: join(REPO, 'intents'), dataDir: join(REPO, 'data') });
  const intents = core.engine.knowledge().intents.map((intent) => intent.name);

  const input: fc.Arbitrary<EngineInput> = fc.oneof(
    { weight: 8, arbitrary: hostileText.map((text): EngineInput => ({ kind: 'text', text })) },
    {
      weight: 1,
      arbitrary: fc.oneof(fc.constantFrom(...intents), hostileText).map((intent): EngineInput => ({ kind: 'intent', intent })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.constantFrom('yes', 'no', 'unsure', '1', '0', 'start', ''), hostileText)
        .map((value): EngineInput => ({ kind: 'choice', value })),
    },
  );
  // Whether this turn continues the previous conversation, and how much later it comes.
  const turn = fc.record({ input, carryState: fc.boolean(), minutesLater: fc.integer({ min: 0, max: 120 }) });

  const result: EngineFuzzResult = {
    seed: options.seed,
    cases: 0,
    crashes: 0,
    illFormedReplies: 0,
    overLongReplies: 0,
    longestReply: 0,
    ms: 0,
    examples: [],
  };
  const note = (problem: string, given: EngineInput, detail: string) => {
    if (result.examples.filter((example) => example.problem === problem).length >= MAX_EXAMPLES) return;
    result.examples.push({ problem, input: JSON.stringify(given).slice(0, 200), detail: detail.slice(0, 300) });
  };

  let state: DialogueState | undefined;
  let clock = Date.parse('2026-06-01T08:00:00Z');
  const started = performance.now();
  fc.check(
    fc.property(turn, ({ input: given, carryState, minutesLater }) => {
      result.cases += 1;
      clock += minutesLater * 60_000;
      try {
        const { reply, state: next } = core.engine.respond(given, carryState ? state : undefined, new Date(clock));
        state = next;
        for (const text of replyTexts(reply)) {
          if (hasLoneSurrogate(text)) {
            result.illFormedReplies += 1;
            note('ill-formed reply', given, JSON.stringify(text.slice(0, 120)));
            break;
          }
        }
        result.longestReply = Math.max(result.longestReply, reply.text.length);
        if (reply.text.length > TELEGRAM_TEXT_LIMIT) {
          result.overLongReplies += 1;
          note('reply over 4096 characters', given, `${reply.text.length} characters`);
        }
      } catch (error) {
        result.crashes += 1;
        state = undefined;
        note('crash', given, (error as Error).stack ?? String(error));
      }
      return true; // counted, never failed: this is a measurement
    }),
    { seed: options.seed, numRuns: options.cases },
  );
  result.ms = Math.round(performance.now() - started);
  return result;
}

function replyTexts(reply: Reply): string[] {
  return [reply.text, ...reply.suggestions.map((item) => item.label), ...reply.choices.map((item) => item.label)];
}
