import { topicOf } from '../knowledge/topics.ts';
import type { Intent, KnowledgeBase } from '../knowledge/schema.ts';
import { ConfirmationRequiredError } from './errors.ts';

/**
 * The publish guard. Two clicks in the review inbox once taught the bot to answer "买房贷款"
 * with the suicide-prevention reply, and the preview said nothing. So a publish that touches
 * emergency handling is refused unless an admin types a confirmation phrase for exactly the
 * draft they reviewed. Pure: the publisher supplies the answers it measured.
 */

export const CONFIRM_PHRASE = '确认发布紧急类改动';

/** The evaluation sets whose answers must not change unnoticed (eval/emergency.jsonl, eval/false-alarms.jsonl). */
export type SafetySetName = 'emergency' | 'false_alarms';

export type Danger =
  /**
   * An emergency intent gains examples (they train the classifier towards the emergency reply),
   * or gains or loses keywords or patterns (they override every score), or appears or goes.
   * Removed examples are not listed: taking a wrong example out is the usual fix, and what it
   * does to real emergencies shows in the emergency set's answers.
   */
  | { kind: 'emergency_edit'; intent: string; field: 'examples' | 'keywords' | 'patterns' | 'intent'; change: 'add' | 'remove'; text: string }
  /** A question of a safety set is answered differently by the draft. */
  | { kind: 'safety_answer'; set: SafetySetName; id: string; text: string; expected: string; before: string; after: string; severity: AnswerSeverity };

/**
 * How a changed answer touches emergencies, worst first. Every change must be confirmed, but a
 * single retrained example moves a score of answers on these sets (measured: about 20 of 432),
 * so the page leads with the few that matter most instead of one undifferentiated list.
 */
export type AnswerSeverity =
  /** Was an emergency reply, no longer is: a real cry for help may be missed. */
  | 'missed_emergency'
  /** Was not an emergency reply, now is: an ordinary question gets 110/120/12356. */
  | 'false_alarm'
  /** One emergency reply for another (110 instead of the crisis line…). */
  | 'emergency_kind'
  | 'other';

export const SEVERITY_ORDER: readonly AnswerSeverity[] = ['missed_emergency', 'false_alarm', 'emergency_kind', 'other'];

export function answerSeverity(before: string, after: string): AnswerSeverity {
  const was = isEmergencyIntent(before);
  const is = isEmergencyIntent(after);
  if (was && !is) return 'missed_emergency';
  if (!was && is) return 'false_alarm';
  return was ? 'emergency_kind' : 'other';
}

/** Edits of emergency intents first, then changed answers from the worst kind down (stable within each). */
export function sortDangers(dangers: readonly Danger[]): Danger[] {
  const rank = (danger: Danger) => (danger.kind === 'emergency_edit' ? -1 : SEVERITY_ORDER.indexOf(danger.severity));
  return [...dangers].sort((a, b) => rank(a) - rank(b));
}

export interface Confirmation {
  /** What the admin typed. */
  phrase?: string;
  /** The draft revision the preview they confirmed was computed on (optional for API callers). */
  revision?: string;
}

type Intents = Pick<KnowledgeBase, 'intents'>;

export function isEmergencyIntent(name: string): boolean {
  return topicOf(name) === 'emergency';
}

/** Changes to emergency intents between the live knowledge and the draft. */
export function emergencyEditDangers(live: Intents, draft: Intents): Danger[] {
  const before = new Map(live.intents.filter((intent) => isEmergencyIntent(intent.name)).map((intent) => [intent.name, intent]));
  const dangers: Danger[] = [];
  for (const intent of draft.intents) {
    if (!isEmergencyIntent(intent.name)) continue;
    const old = before.get(intent.name);
    if (!old) dangers.push({ kind: 'emergency_edit', intent: intent.name, field: 'intent', change: 'add', text: intent.description });
    dangers.push(...added(intent, old, 'examples'), ...added(intent, old, 'keywords'), ...added(intent, old, 'patterns'));
    if (old) dangers.push(...added(old, intent, 'keywords', 'remove'), ...added(old, intent, 'patterns', 'remove'));
  }
  const kept = new Set(draft.intents.map((intent) => intent.name));
  for (const [name, intent] of before) {
    if (!kept.has(name)) dangers.push({ kind: 'emergency_edit', intent: name, field: 'intent', change: 'remove', text: intent.description });
  }
  return dangers;
}

/** Entries of `field` in `intent` that `other` lacks, as dangers of kind `change`. */
function added(intent: Intent, other: Intent | undefined, field: 'examples' | 'keywords' | 'patterns', change: 'add' | 'remove' = 'add'): Danger[] {
  const known = new Set((other?.[field] ?? []).map((text) => text.trim()));
  return intent[field]
    .filter((text) => !known.has(text.trim()))
    .map((text) => ({ kind: 'emergency_edit', intent: intent.name, field, change, text }));
}

/**
 * Refuses a publish with dangerous changes unless `confirmation` carries the phrase and, when it
 * names one, the revision that is about to be published (a draft edited after the admin's review
 * needs a new review: the phrase confirmed what they saw, not what came later).
 */
export function requireConfirmation(review: { dangers: readonly Danger[]; revision: string }, confirmation: Confirmation = {}): void {
  if (review.dangers.length === 0) return;
  if (confirmation.phrase?.trim() !== CONFIRM_PHRASE) {
    throw new ConfirmationRequiredError(
      `本次发布含 ${review.dangers.length} 项紧急类改动，请先查看发布预览中的红色清单，并输入「${CONFIRM_PHRASE}」确认后再发布`,
      CONFIRM_PHRASE,
      review.dangers,
    );
  }
  if (confirmation.revision !== undefined && confirmation.revision !== review.revision) {
    throw new ConfirmationRequiredError('草稿在您查看预览后又有改动，请重新查看发布预览后再确认发布', CONFIRM_PHRASE, review.dangers);
  }
}
