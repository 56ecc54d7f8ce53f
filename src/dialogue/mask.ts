/**
 * Masks personal numbers before anything is stored or shown to staff: mainland ID-card numbers,
 * bank-card numbers, mobile numbers and landlines. Enough is kept for a person to recognise the
 * number (138****5678) but not to use it. Pure; the same text always gives the same result.
 *
 * Order matters: the longest patterns run first, so an 18-digit ID card is never read as a
 * mobile number followed by digits. Every pattern is anchored on "not a digit" either side, so
 * 12348, 110, years and amounts are left alone.
 */

const NOT_DIGIT_BEFORE = '(?<![0-9A-Za-z])';
const NOT_DIGIT_AFTER = '(?![0-9])';

/** 18-digit resident ID card, last character may be X. 6 region + 8 birth date + 3 + 1. */
const ID_CARD = new RegExp(
  `${NOT_DIGIT_BEFORE}[1-9]\\d{5}(?:18|19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}[\\dXx]${NOT_DIGIT_AFTER}`,
  'g',
);

/** Bank card: 16–19 digits, written solid or in groups of four separated by spaces or dashes. */
const BANK_CARD = new RegExp(
  `${NOT_DIGIT_BEFORE}(?:\\d{16,19}|\\d{4}(?:[ -]\\d{4}){3}(?:[ -]?\\d{1,3})?)${NOT_DIGIT_AFTER}`,
  'g',
);

/** Mainland mobile: 1[3-9] + 9 digits, optionally +86, written 3-4-4 with spaces or dashes. */
const MOBILE = new RegExp(
  `${NOT_DIGIT_BEFORE}(?:\\+?86[ -]?)?1[3-9]\\d[ -]?\\d{4}[ -]?\\d{4}${NOT_DIGIT_AFTER}`,
  'g',
);

/** Landline with an area code: 0 + 2–3 digits, optional separator, 7–8 digits. */
const LANDLINE = new RegExp(
  `${NOT_DIGIT_BEFORE}(?:\\(0\\d{2,3}\\)|0\\d{2,3})[ -]?[2-9]\\d{6,7}${NOT_DIGIT_AFTER}`,
  'g',
);

export function maskPersonalNumbers(text: string): string {
  if (!/\d/.test(text)) return text; // most messages hold no number at all
  return text
    .replace(ID_CARD, (match) => keepEnds(match, 3, 4))
    .replace(BANK_CARD, (match) => keepEnds(digitsOf(match), 4, 4))
    .replace(MOBILE, (match) => {
      const digits = digitsOf(match).slice(-11);
      return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
    })
    .replace(LANDLINE, (match) => {
      const compact = match.replace(/[()\s]/g, '');
      const [area, local] = compact.includes('-')
        ? (compact.split('-') as [string, string])
        : splitArea(compact);
      return `${area}-${'*'.repeat(local.length - 2)}${local.slice(-2)}`;
    });
}

function keepEnds(value: string, head: number, tail: number): string {
  return `${value.slice(0, head)}${'*'.repeat(value.length - head - tail)}${value.slice(-tail)}`;
}

function digitsOf(value: string): string {
  return value.replace(/\D/g, '');
}

/** Without a separator, a 3-digit area code (010, 020–029) or a 4-digit one (0798). */
function splitArea(compact: string): [string, string] {
  const areaLength = /^0(?:10|2\d)/.test(compact) ? 3 : 4;
  return [compact.slice(0, areaLength), compact.slice(areaLength)];
}
