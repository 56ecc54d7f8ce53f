import type { Flow } from '../knowledge/schema.ts';
import type { Choice, FlowState } from './types.ts';

/**
 * A guided flow (the legal-aid self-check) as a small state machine over data/flows/*.yaml.
 * Pure: the channel shows `question` and `choices`; a pick comes back as a choice value.
 */

export interface FlowPrompt {
  question: string;
  choices: Choice[];
}

export type FlowStep =
  | { kind: 'ask'; state: FlowState; prompt: FlowPrompt }
  | { kind: 'result'; resultId: string; tags: string[] }
  | { kind: 'invalid' };

export function startFlow(flow: Flow): FlowStep {
  return ask(flow, { kind: flow.id, step: flow.start, answers: {} });
}

export function advanceFlow(flow: Flow, state: FlowState, value: string): FlowStep {
  const step = flow.steps[state.step];
  const choice = step?.choices.find((c) => c.value === value);
  if (!step || !choice) return { kind: 'invalid' };
  const answers = { ...state.answers, [state.step]: value, ...(choice.tag ? { [`tag:${choice.tag}`]: '1' } : {}) };
  if (choice.result) {
    const tags = Object.keys(answers).filter((key) => key.startsWith('tag:')).map((key) => key.slice(4));
    return { kind: 'result', resultId: choice.result, tags };
  }
  return ask(flow, { kind: flow.id, step: choice.next ?? '', answers });
}

/** "2", "２", "第二个" or the label itself picks a choice typed instead of tapped. */
export function typedChoice(flow: Flow, state: FlowState, text: string): string | undefined {
  const choices = flow.steps[state.step]?.choices ?? [];
  const trimmed = text.trim().replace(/^第/, '').replace(/[个项。.!！]$/u, '');
  const numerals: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
  const index = /^\d+$/.test(trimmed) ? Number(trimmed) : numerals[trimmed];
  if (index !== undefined && index >= 1 && index <= choices.length) return choices[index - 1]?.value;
  return choices.find((choice) => choice.label === trimmed || choice.value === trimmed)?.value;
}

function ask(flow: Flow, state: FlowState): FlowStep {
  const step = flow.steps[state.step];
  if (!step) return { kind: 'invalid' };
  return {
    kind: 'ask',
    state,
    prompt: { question: step.question, choices: step.choices.map((c) => ({ label: c.label, value: c.value })) },
  };
}
