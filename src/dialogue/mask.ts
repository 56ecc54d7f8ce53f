import { findDigitRuns, mayHoldNumber, type DigitRun } from './digit-runs.ts';

/**
 * Masks personal numbers before anything is stored or shown to staff: mainland ID-card numbers,
 * mobile numbers, landlines and bank-card numbers, however they are written (full-width or
 * Chinese digits, groups split by spaces, dashes, dots or slashes, +86 in front). Enough is kept
 * for a person to recognise the number (138****5678) but not to use it; the kept part is
 * written in ASCII digits. Pure; the same text always gives the same result.
 *
 * A number may only start and end where a digit group does (see DigitRun.edges), so 12348,
 * years, amounts, dates and case numbers are left alone, and a number is never cut out of the
 * middle of a longer one.
 */
export function maskPersonalNumbers(text: string): string {
  if (!mayHoldNumber(text)) return text; // most messages hold no number at all
  let masked = '';
  let copied = 0;
  for (const run of findDigitRuns(text)) {
    for (const found of findNumbers(run)) {
      const [from, to] = spanOf(text, run, found);
      masked += text.slice(copied, from) + found.kind.mask(run.digits.slice(found.start, found.end));
      copied = to;
    }
  }
  return masked + text.slice(copied);
}

interface NumberKind {
  readonly minLength: number;
  readonly maxLength: number;
  accepts(digits: string, run: DigitRun, start: number): boolean;
  mask(digits: string): string;
}

/** 18-digit resident ID card: 6 region + a real-looking birth date + 3 + check (0-9 or X). */
const ID_CARD_DIGITS =
  /^[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]$/;
const ID_CARD: NumberKind = {
  minLength: 18,
  maxLength: 18,
  accepts: (digits) => ID_CARD_DIGITS.test(digits),
  mask: (digits) => keepEnds(digits, 3, 4),
};

/**
 * Mainland mobile, 1[3-9] + 9 digits; a country code (86, 0086) or a trunk 0 in front is dropped.
 * The trunk 0 only counts when written solid with 1[3-9], or a month and day in a date range
 * (1949.01.30-1949.01.01) would read as 0 130 1949 0101.
 */
const MOBILE_DIGITS = /^(?:0086|86|0)?1[3-9]\d{9}$/;
const MOBILE: NumberKind = {
  minLength: 11,
  maxLength: 15,
  accepts(digits, run, start) {
    if (!MOBILE_DIGITS.test(digits)) return false;
    const trunkZero = digits.length === 12;
    return !trunkZero || gapsInside(run, start, 3).length === 0;
  },
  mask: (digits) => keepEnds(digits.slice(-11), 3, 4),
};

/**
 * Landline with its area code: 010 and 02x are 3-digit codes, every other 0xxx has 4. The local
 * number has 7–8 digits not starting with 0; one starting with 1 is not a real number, but a
 * mistyped number is still someone's. 0798-12348 (a hotline with its area code) is too short.
 * The area code must be written in one piece, so the dates in 2024.05.13-2025.05.13 are not
 * read as 0513-20250513. An extension after a separator is left as it is.
 */
const LANDLINE_DIGITS = /^(0(?:10|2\d|[3-9]\d{2}))([1-9]\d{6,7})$/;
const LANDLINE: NumberKind = {
  minLength: 10,
  maxLength: 12,
  accepts(digits, run, start) {
    const area = LANDLINE_DIGITS.exec(digits)?.[1];
    if (area === undefined) return false;
    return gapsInside(run, start, area.length).length === 0;
  },
  mask(digits) {
    const [, area = '', local = ''] = LANDLINE_DIGITS.exec(digits) ?? [];
    return `${area}-${'*'.repeat(local.length - 2)}${local.slice(-2)}`;
  },
};

/**
 * Bank card or account, 16–19 digits. Written solid, or in the printed layout of fours
 * (1502 0123 4567 8901 234: passbook accounts may start with 1 or 2), any digits count. In other
 * groupings it must start the way card numbers do (3 JCB/Amex, 4 Visa, 5 Mastercard, 6 UnionPay,
 * 9 the old 95xxx debit cards), so dates side by side (2024.05.01-2025.05.01) are not one.
 */
const BANK_CARD_DIGITS = /^\d{16,19}$/;
const BANK_CARD: NumberKind = {
  minLength: 16,
  maxLength: 19,
  accepts(digits, run, start) {
    if (!BANK_CARD_DIGITS.test(digits)) return false;
    if (/^[3-69]/.test(digits)) return true;
    const gaps = gapsInside(run, start, digits.length);
    const inFours = gaps.length === Math.floor((digits.length - 1) / 4) && gaps.every((offset) => offset % 4 === 0);
    return gaps.length === 0 || inFours;
  },
  mask: (digits) => keepEnds(digits, 4, 4),
};

/**
 * At one start the longest reading wins, so a 19-digit card whose first 18 digits look like an
 * ID card is read as the card. At equal length this order decides: an 18-digit number that
 * looks like an ID card is masked as one (it keeps fewer digits than a card).
 */
const KINDS: readonly NumberKind[] = [ID_CARD, MOBILE, LANDLINE, BANK_CARD];
const LONGEST = Math.max(...KINDS.map((kind) => kind.maxLength));

interface Found {
  readonly kind: NumberKind;
  readonly start: number;
  readonly end: number;
}

/** Left to right: at each edge, the longest number that starts there; then on after it. */
function* findNumbers(run: DigitRun): Generator<Found> {
  for (let start = 0; start < run.digits.length; start += 1) {
    if (!run.edges.has(start)) continue;
    const found = numberAt(run, start);
    if (!found) continue;
    yield found;
    start = found.end - 1;
  }
}

function numberAt(run: DigitRun, start: number): Found | undefined {
  for (let end = Math.min(run.digits.length, start + LONGEST); end > start; end -= 1) {
    if (!run.edges.has(end)) continue;
    const digits = run.digits.slice(start, end);
    const kind = KINDS.find(
      (candidate) =>
        digits.length >= candidate.minLength && digits.length <= candidate.maxLength && candidate.accepts(digits, run, start),
    );
    if (kind) return { kind, start, end };
  }
  return undefined;
}

/**
 * The characters a found number replaces: from its first digit to its last, separators
 * included, plus a "+" before a country code and an opening bracket whose closing one is
 * inside ("(+86) 138…", "(0798)6712345").
 */
function spanOf(text: string, run: DigitRun, found: Found): [number, number] {
  let from = run.at[found.start]!;
  const to = run.at[found.end - 1]! + 1;
  const hasCountryCode = found.kind === MOBILE && found.end - found.start > 12;
  if (hasCountryCode && /[+＋]/.test(text[from - 1] ?? '')) from -= 1;
  if (/[(（]/.test(text[from - 1] ?? '') && /[)）]/.test(text.slice(from, to))) from -= 1;
  return [from, to];
}

/** Offsets (from `start`) of the separators strictly inside the next `length` digits. */
function gapsInside(run: DigitRun, start: number, length: number): number[] {
  const offsets: number[] = [];
  for (let offset = 1; offset < length; offset += 1) if (run.gaps.has(start + offset)) offsets.push(offset);
  return offsets;
}

function keepEnds(value: string, head: number, tail: number): string {
  return `${value.slice(0, head)}${'*'.repeat(value.length - head - tail)}${value.slice(-tail)}`;
}
