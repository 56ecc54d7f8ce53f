/**
 * Is someone in danger right now? Its own detector, because a word is not a meaning: "他拿刀砍我"
 * is a cry for help, "如果我死了房子给谁" is an inheritance question and "去年被打了现在想起诉" is
 * a claim for damages. Two kinds of evidence are combined:
 *
 * - cues: the emergency intents' keywords and patterns (data, in intents/emergency.yaml), and
 *   the classifier's probability for the emergency intents (learnt from examples of danger and
 *   from ordinary questions that use the same words);
 * - the sentence a cue sits in: said now ("正在", "在门口", "救命"), or hypothetical, past,
 *   reported, or asked as a legal question. These word lists are data too
 *   (data/lexicon/danger.yaml), so staff can read and extend them.
 *
 * Three outcomes. `certain`: the emergency answer replaces everything. `possible`: the reply
 * leads with the 110/120 line and still answers the question, because a missed cry for help is
 * the worst failure and a false alarm that replaces the answer is the next worst. `none`.
 */

export interface DangerLexicon {
  /** Said as happening now, with no doubt (正在, 救命, 在门口): a cue with these is certain. */
  urgent: string[];
  /** Weaker signs of now (现在, 今晚, 刚才): certain only when nothing softens the cue. */
  now: string[];
  /** Conditions and after-death planning (如果, 万一, 百年之后, 去世后). */
  hypothetical: string[];
  /** Time already past (去年, 以前, 上次, 当时). */
  past: string[];
  /** Someone else's story (新闻, 电视上, 听说, 游戏里). */
  reported: string[];
  /** The question is legal (起诉, 赔偿, 判几年, 遗产, 离婚, 保护令, 退货). */
  legal: string[];
}

export const EMPTY_DANGER_LEXICON: DangerLexicon = { urgent: [], now: [], hypothetical: [], past: [], reported: [], legal: [] };

export type DangerLevel = 'none' | 'possible' | 'certain';

export interface DangerCue {
  intent: string;
  /** The keyword or pattern text that matched, or the classifier's score. */
  match: string;
  /** The sentence the cue was found in (the whole message for the classifier's whole-message score). */
  sentence: string;
  /** The classifier's emergency probability for that sentence. */
  score: number;
  byRule: boolean;
  /** A sentence of a longer message (short and noisy: a higher bar for the classifier). */
  partial?: boolean;
  /** No danger model behind the score (too little data): it can only make danger possible. */
  weak?: boolean;
  /**
   * How sure the intent classifier is of an ordinary (non-emergency) reading of the same text.
   * When the two models disagree this strongly ("今天天气", "帮我砍一刀"), danger is only possible.
   */
  ordinary?: number;
}

export interface DangerAssessment {
  level: DangerLevel;
  intent?: string;
  /** Why, in words staff read in the trace. */
  reason: string;
}

/** Thresholds on the classifier's emergency probability, chosen on the dev emergency and false-alarm sets. */
export interface DangerThresholds {
  /** A cue softened by its sentence is still certain when the classifier is this sure. */
  softenedCertain: number;
  /** …and possible above this. */
  softenedPossible: number;
  /** With no keyword: certain at this score if nothing softens it… */
  modelCertain: number;
  /** …possible above this. */
  modelPossible: number;
  /** A sentence of a story: certain at this score, possible above the next. */
  partCertain: number;
  partPossible: number;
  /**
   * A keyword or pattern is certain unless the danger model all but rules it out: then the
   * reply still leads with 110 and also answers the question ("麻醉以后我妈昏迷了三天").
   */
  ruleFloor: number;
  /** The danger model this sure outweighs a softening word ("要是还在就弄死我", "离婚官司输了…在楼顶"). */
  modelOverSoftener: number;
  /** An ordinary reading this sure makes a model-only cue uncertain. */
  ordinaryVeto: number;
  /** Right after a turn about danger, a lower bar ("他又来了"). */
  afterDanger: number;
}

export const DEFAULT_DANGER_THRESHOLDS: DangerThresholds = {
  softenedCertain: 0.5,
  softenedPossible: 0.15,
  modelCertain: 0.35,
  modelPossible: 0.2,
  partCertain: 0.7,
  partPossible: 0.5,
  modelOverSoftener: 0.8,
  ruleFloor: 0.02,
  ordinaryVeto: 0.9,
  afterDanger: 0.15,
};

interface Modality {
  urgent?: string;
  now?: string;
  softener?: string;
}

export function modalityOf(sentence: string, lexicon: DangerLexicon): Modality {
  const find = (words: string[]) => words.find((word) => sentence.includes(word));
  const softener = find(lexicon.hypothetical) ?? find(lexicon.past) ?? find(lexicon.reported) ?? find(lexicon.legal);
  const urgent = find(lexicon.urgent);
  const now = find(lexicon.now);
  return { ...(urgent ? { urgent } : {}), ...(now ? { now } : {}), ...(softener ? { softener } : {}) };
}

export function assessDanger(
  cues: readonly DangerCue[],
  lexicon: DangerLexicon,
  options: { afterDanger?: boolean; thresholds?: DangerThresholds } = {},
): DangerAssessment {
  const t = options.thresholds ?? DEFAULT_DANGER_THRESHOLDS;
  let best: DangerAssessment = { level: 'none', reason: '' };
  const consider = (candidate: DangerAssessment) => {
    if (rank(candidate.level) > rank(best.level)) best = candidate;
  };
  for (const cue of cues) {
    const m = modalityOf(cue.sentence, lexicon);
    const what = cue.byRule ? `「${cue.match}」` : `分类器 ${cue.score.toFixed(2)}`;
    if (cue.byRule) {
      if (m.urgent) consider({ level: 'certain', intent: cue.intent, reason: `${what}，正在发生（${m.urgent}）` });
      else if (!m.softener && (cue.score >= t.ruleFloor || cue.weak || options.afterDanger)) consider({ level: 'certain', intent: cue.intent, reason: `${what}` });
      else if (!m.softener) consider({ level: 'possible', intent: cue.intent, reason: `${what}，但整句不像求助（${cue.score.toFixed(2)}）` });
      else if (cue.score >= t.softenedCertain || options.afterDanger) consider({ level: 'certain', intent: cue.intent, reason: `${what}，虽有「${m.softener}」，但整体像求助` });
      else if (cue.score >= t.softenedPossible || m.now) consider({ level: 'possible', intent: cue.intent, reason: `${what}，但有「${m.softener}」，不确定是否正在发生` });
      continue;
    }
    const vetoed = (cue.ordinary ?? 0) >= t.ordinaryVeto && !options.afterDanger;
    const certainAt = cue.weak || vetoed ? Infinity : options.afterDanger ? t.afterDanger : cue.partial ? t.partCertain : t.modelCertain;
    const possibleAt = cue.partial ? t.partPossible : t.modelPossible;
    if (cue.score >= certainAt && (!m.softener || m.urgent)) consider({ level: 'certain', intent: cue.intent, reason: what });
    else if (!cue.weak && !vetoed && !cue.partial && cue.score >= t.modelOverSoftener) consider({ level: 'certain', intent: cue.intent, reason: `${what}，虽有「${m.softener}」，但整体像求助` });
    else if (cue.score >= (cue.weak || vetoed ? t.modelCertain : certainAt) && m.softener) consider({ level: 'possible', intent: cue.intent, reason: `${what}，但有「${m.softener}」` });
    else if (cue.score >= possibleAt && !m.softener) consider({ level: 'possible', intent: cue.intent, reason: `${what}，不确定${vetoed ? '（意图分类更像普通问题）' : ''}` });
  }
  return best;
}

function rank(level: DangerLevel): number {
  return level === 'certain' ? 2 : level === 'possible' ? 1 : 0;
}
