/**
 * Expected calibration error: bins predictions by stated confidence and compares each bin's mean
 * confidence with how often it was right. 0 means "a reply with confidence 0.8 is right 80% of
 * the time". Pure.
 */
export interface Calibrated {
  confidence: number;
  correct: boolean;
}

export function expectedCalibrationError(rows: readonly Calibrated[], bins = 10): number {
  if (rows.length === 0) return 0;
  const sums = Array.from({ length: bins }, () => ({ n: 0, confidence: 0, correct: 0 }));
  for (const row of rows) {
    const c = Math.min(1, Math.max(0, row.confidence));
    const bin = sums[Math.min(bins - 1, Math.floor(c * bins))]!;
    bin.n += 1;
    bin.confidence += c;
    bin.correct += row.correct ? 1 : 0;
  }
  return sums.reduce((ece, bin) => (bin.n ? ece + (bin.n / rows.length) * Math.abs(bin.confidence / bin.n - bin.correct / bin.n) : ece), 0);
}
