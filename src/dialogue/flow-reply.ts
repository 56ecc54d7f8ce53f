import type { KnowledgeIndex } from '../knowledge/facts.ts';
import type { Fact, Flow } from '../knowledge/schema.ts';
import { NONE_INTENT, topicOf } from '../knowledge/topics.ts';
import { advanceFlow, startFlow, type FlowStep } from './flow.ts';
import { messages } from './messages.ts';
import { menuSuggestions, plainReply, sourceLine, sourcesOf, toSuggestion } from './reply.ts';
import type { DialogueState, FlowState, Reply } from './types.ts';

/**
 * Replies of a guided flow (the legal-aid self-check): each step's question with its choices,
 * and the result built from the flow file's text and facts. Pure, like reply.ts.
 */

export interface FlowReply {
  reply: Reply;
  statePatch: Partial<DialogueState>;
  facts: Fact[];
}

/** Starts `flow` for the intent that asked for it (that intent owns the result's follow-ups). */
export function startFlowReply(index: KnowledgeIndex, flow: Flow, intent: string): FlowReply {
  const rendered = stepReply(index, flow, startFlow(flow), intent);
  const topic = topicOf(intent) ?? NONE_INTENT;
  return {
    ...rendered,
    reply: { ...rendered.reply, text: `${flow.intro}\n${rendered.reply.text}` },
    statePatch: { ...rendered.statePatch, lastIntent: intent, lastTopic: topic },
  };
}

/** A choice tapped or typed (`value`), or the same question again (`value` undefined). */
export function continueFlowReply(index: KnowledgeIndex, flow: Flow, state: FlowState, value?: string): FlowReply {
  const step: FlowStep =
    value === undefined ? { kind: 'ask', state, prompt: promptOf(flow, state.step) } : advanceFlow(flow, state, value);
  return stepReply(index, flow, step, state.intent ?? NONE_INTENT);
}

function stepReply(index: KnowledgeIndex, flow: Flow, step: FlowStep, intent: string): FlowReply {
  if (step.kind === 'ask') {
    const choices = [...step.prompt.choices, { label: messages.selfCheck.exit, value: 'exit' }];
    return {
      reply: plainReply('flow', step.prompt.question, { intent, confidence: 1, choices }),
      statePatch: { flow: { ...step.state, intent } },
      facts: [],
    };
  }
  if (step.kind === 'invalid') {
    // "退出评估", or a stale button from an earlier flow.
    return { reply: plainReply('clarify', messages.selfCheck.left, { suggestions: menuSuggestions(index) }), statePatch: { flow: undefined }, facts: [] };
  }
  const result = flow.results[step.resultId];
  const facts = (result?.facts ?? []).flatMap((id) => index.fact(id) ?? []);
  const sources = sourcesOf(index, facts);
  const lines = [
    result?.text ?? '',
    ...step.tags.flatMap((tag) => flow.tagNotes[tag] ?? []),
    ...facts.map((fact) => fact.text),
    flow.closing,
    ...(sources.length ? [sourceLine(sources)] : []),
  ].filter(Boolean);
  const followups = (index.intent(intent)?.followups ?? []).flatMap((name) => index.intent(name) ?? []);
  const topic = topicOf(intent) ?? NONE_INTENT;
  return {
    reply: { kind: 'answer', intent, topic, confidence: 1, text: lines.join('\n'), sources, suggestions: followups.map(toSuggestion), choices: [] },
    statePatch: { flow: undefined, lastIntent: intent, lastTopic: topic },
    facts,
  };
}

/**
 * A choice from a flow that is no longer running (finished, left, or expired): say the check has
 * ended and offer to start it again, instead of "not understood" and the whole menu.
 */
export function endedFlowReply(index: KnowledgeIndex, flow: Flow, startIntent: string | undefined): FlowReply {
  const restart = startIntent ? index.intent(startIntent) : undefined;
  const suggestions = restart ? [{ ...toSuggestion(restart), label: messages.selfCheck.restart }] : [];
  return {
    reply: plainReply('clarify', messages.selfCheck.ended, { intent: startIntent ?? NONE_INTENT, suggestions: [...suggestions, ...menuSuggestions(index)].slice(0, 6) }),
    statePatch: { flow: undefined },
    facts: [],
  };
}

/** The flow whose buttons carry `value` (the exit button belongs to every flow). */
export function flowOfChoice(flows: readonly Flow[], value: string): Flow | undefined {
  return flows.find((flow) => value === 'exit' || Object.values(flow.steps).some((step) => step.choices.some((choice) => choice.value === value)));
}

function promptOf(flow: Flow, stepId: string) {
  const step = flow.steps[stepId];
  return { question: step?.question ?? '', choices: (step?.choices ?? []).map((c) => ({ label: c.label, value: c.value })) };
}
