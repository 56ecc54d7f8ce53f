/**
 * Scoring real citizens' questions by the labelling rubric of ../shared/real-questions: a label
 * is a triage kind, a topic, `general_legal` (a legal question outside the nine kinds) or
 * `out_of_scope`. Pure; the eval script reads the files.
 */

export const TRIAGE_KINDS = ['labor', 'family', 'traffic', 'debt', 'neighbor', 'land', 'consumer', 'criminal', 'medical'].map(
  (kind) => `triage.${kind}`,
);

/** Is the bot's intent the right route for a question with this label? */
export function rightForLabel(label: string, intent: string): boolean {
  if (label.startsWith('triage.')) return intent === label || intent.startsWith(`${label}_`) || intent.startsWith(`${label}.`);
  if (label === 'out_of_scope') return intent === 'none' || intent.startsWith('out_of_scope.');
  if (label === 'general_legal') {
    return (
      intent === 'none' ||
      intent.startsWith('hotline.') ||
      intent.startsWith('out_of_scope.') ||
      (intent.startsWith('triage.') && !TRIAGE_KINDS.some((kind) => intent === kind || intent.startsWith(`${kind}_`)))
    );
  }
  return intent.split('.')[0] === label;
}

export interface LabelScore {
  label: string;
  total: number;
  right: number;
}

export function scoreLabels(rows: ReadonlyArray<{ label: string; intent: string }>): { accuracy: number; total: number; byLabel: LabelScore[] } {
  const byLabel = new Map<string, LabelScore>();
  let right = 0;
  for (const row of rows) {
    const score = byLabel.get(row.label) ?? { label: row.label, total: 0, right: 0 };
    score.total += 1;
    if (rightForLabel(row.label, row.intent)) {
      score.right += 1;
      right += 1;
    }
    byLabel.set(row.label, score);
  }
  return {
    accuracy: rows.length ? right / rows.length : 0,
    total: rows.length,
    byLabel: [...byLabel.values()].sort((a, b) => b.total - a.total),
  };
}
