/**
 * The values that cross from the pure core to the channels. Channels render a Reply; they
 * never build answer text themselves.
 */

export type ReplyKind =
  | 'answer' // answered from facts
  | 'no_fact' // the store deliberately holds no such fact: say so, point to 12348
  | 'clarify' // not understood: a short question and the topic menu
  | 'ambiguous' // two intents too close: ask which one was meant
  | 'emergency' // immediate danger: 110/120/12338 first
  | 'handoff' // the citizen asked for a person
  | 'flow' // a step of a guided flow (legal-aid self-check)
  | 'menu' // the topic menu
  | 'unsupported' // sticker, voice, photo…: please type
  | 'invalid'; // empty, binary or otherwise unusable input

export interface SourceRef {
  title: string;
  section: string;
  /** city_2020: a dated city figure; national: a national rule; general: public information. */
  scope: 'city_2020' | 'national' | 'general';
}

/** A button that asks the engine for an intent's answer directly. */
export interface Suggestion {
  label: string;
  intent: string;
}

/** A button of a guided flow; its value goes back through `{ kind: 'choice' }`. */
export interface Choice {
  label: string;
  value: string;
}

export interface Reply {
  kind: ReplyKind;
  /** The intent answered, or `none`. */
  intent: string;
  /** Topic of `intent`, or `none`. */
  topic: string;
  confidence: number;
  /** Plain text (no markup), a few lines; channels escape it for their format. */
  text: string;
  /** Where the stated facts come from; rendered as the last line by `text` already. */
  sources: SourceRef[];
  /** Follow-up questions (2–4), or the topic menu for `clarify`/`menu`. */
  suggestions: Suggestion[];
  /** Choices of a guided flow step. */
  choices: Choice[];
  /** A sign of danger the bot was not sure of: the reply leads with 110/120 and still answers. */
  safety?: 'possible';
}

export interface Turn {
  role: 'user' | 'bot';
  text: string;
  at: string;
}

export interface FlowState {
  kind: 'legal_aid_check';
  step: string;
  answers: Record<string, string>;
  /** The intent that started the flow; its follow-ups are offered with the result. */
  intent?: string;
}

/** Per-chat state. Plain JSON so any store can keep it. */
export interface DialogueState {
  lastIntent?: string;
  lastTopic?: string;
  /** Intents offered when the last reply was `ambiguous`; a number or a choice picks one. */
  pendingOptions?: string[];
  flow?: FlowState;
  /** The last turn was about danger now (answered as an emergency, or led with 110). */
  lastDanger?: boolean;
  turns: number;
  /** The last few turns, personal numbers masked, for a human handoff. */
  history: Turn[];
  updatedAt: string;
}

export type EngineInput =
  | { kind: 'text'; text: string }
  /** A follow-up or menu button: answer this intent. */
  | { kind: 'intent'; intent: string }
  /** A flow choice button. */
  | { kind: 'choice'; value: string }
  /** Not text: what the citizen sent instead. */
  | {
      kind: 'unsupported';
      what: 'sticker' | 'photo' | 'voice' | 'audio' | 'video' | 'location' | 'contact' | 'document' | 'other';
    };

export type DecidedBy =
  | 'emergency'
  | 'rule'
  | 'classifier'
  | 'context'
  | 'button'
  | 'flow'
  | 'fallback'
  | 'input';

// The scored-intent type belongs to nlp/ (dialogue builds on nlp, never the other way round).
import type { ScoredIntent } from '../nlp/scored-intent.ts';
export type { ScoredIntent };

/** Everything staff need to see why the bot answered as it did. */
export interface Trace {
  normalized: string;
  tokens: string[];
  /** The rule that fired, if any (intent name and the keyword or pattern). */
  rule?: { intent: string; match: string; priority: 'normal' | 'override' };
  /** Top intents with calibrated scores (0–1), best first. */
  ranked: ScoredIntent[];
  threshold: number;
  decidedBy: DecidedBy;
  /** Other matters a long message raised, offered after the main answer. */
  otherIntents: string[];
  facts: { id: string; source: string }[];
  /** The danger detector's verdict and why (absent for buttons and non-text input). */
  danger?: { level: 'none' | 'possible' | 'certain'; reason: string };
}

export interface EngineResult {
  reply: Reply;
  state: DialogueState;
  trace: Trace;
}
