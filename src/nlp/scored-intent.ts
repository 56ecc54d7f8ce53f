/** An intent with the classifier's calibrated score (0–1); lists of them are best first. */
export interface ScoredIntent {
  intent: string;
  score: number;
}
