/**
 * Reads numbers the way citizens type them: ASCII, full-width or Chinese digits, in groups split
 * by spaces, dashes, dots, slashes or brackets. A run is one written number, or a few written
 * side by side; its digit view says which digits it holds and where a number inside it may start
 * or end. Pure. Used by mask.ts, which decides which of those numbers are personal.
 */

/**
 * Chinese characters that stand for a digit. 幺 and 两 are how 1 and 2 are read out in phone
 * numbers, ○ is what many input methods give for 〇, and 壹贰叁… are the forms written on
 * cheques and official papers (traditional ones too: the text here is not normalised yet).
 */
const CHINESE_DIGITS = new Map<string, string>(
  Object.entries({
    0: '〇○零',
    1: '一幺壹',
    2: '二两兩贰貳',
    3: '三叁叄',
    4: '四肆',
    5: '五伍',
    6: '六陆陸',
    7: '七柒',
    8: '八捌',
    9: '九玖',
  }).flatMap(([digit, chars]) => [...chars].map((char): [string, string] => [char, digit])),
);

const ARABIC = '0-9\\uFF10-\\uFF19'; // ASCII and full-width
const CHINESE = [...CHINESE_DIGITS.keys()].join('');
/** The ID card's check character, in either width. */
const CHECK = 'XxＸｘ';
/**
 * What people put between digit groups: spaces of every width (U+3000, NBSP), hyphens and
 * dashes (-, －, —, –, −), dots (., ．, ·, ・), slashes and brackets ("(0798)", "(+86)"). Commas
 * and colons are not separators, so 1,200,000 and 10:30 stay what they are; nor is a line break,
 * so two numbers on two lines are two runs.
 */
const SEPARATOR =
  ' \\t\\u00A0\\u1680\\u2000-\\u200A\\u202F\\u205F\\u3000' +
  '\\-\\u2010-\\u2015\\u2212\\uFF0D' +
  '.\\uFF0E\\u00B7\\u2027\\u30FB' +
  '/\\uFF0F()\\uFF08\\uFF09';

/**
 * One run: digit groups joined by at most three separator characters ("0798 - 6712345"). A check
 * character may end a group or stand alone after a separator ("…0112 3X", "…123 X"). The classes
 * do not overlap, so matching is linear however long the text.
 */
const GROUP = `[${ARABIC}${CHINESE}]+[${CHECK}]?`;
const RUN = new RegExp(`${GROUP}(?:[${SEPARATOR}]{1,3}(?:${GROUP}|[${CHECK}]))*`, 'g');

const ANY_ARABIC_DIGIT = new RegExp(`[${ARABIC}]`);
/** Ten Chinese digits, separated or not: the shortest personal number (010 + 7 digits) in Chinese. */
const CHINESE_NUMBER = new RegExp(`[${CHINESE}](?:[${SEPARATOR}]{0,3}[${CHINESE}]){9}`);

export interface DigitRun {
  /** The run's digits in ASCII; a check character is kept as X or x. */
  readonly digits: string;
  /** For each digit, the index in the text of the character it was read from. */
  readonly at: readonly number[];
  /**
   * Digit offsets where a number may start or end: both ends of the run, every separator, and
   * every switch between Arabic digits, Chinese digits and the check character. Between two
   * Chinese digits too, because 一 and 两 also run into ordinary words ("一三八…五六七八一下").
   */
  readonly edges: ReadonlySet<number>;
  /** The edges that a separator makes (a subset of edges). */
  readonly gaps: ReadonlySet<number>;
}

/** Cheap test that lets the many messages with no number skip the scan. */
export function mayHoldNumber(text: string): boolean {
  return ANY_ARABIC_DIGIT.test(text) || CHINESE_NUMBER.test(text);
}

export function findDigitRuns(text: string): DigitRun[] {
  return [...text.matchAll(RUN)].map((match) => readRun(text, match.index, match.index + match[0].length));
}

type Kind = 'arabic' | 'chinese' | 'check';

function readRun(text: string, from: number, to: number): DigitRun {
  let digits = '';
  const at: number[] = [];
  const edges = new Set<number>([0]);
  const gaps = new Set<number>();
  let afterSeparator = false;
  let previous: Kind | undefined;
  for (let index = from; index < to; index += 1) {
    const char = text[index]!;
    const read = readDigit(char);
    if (!read) {
      afterSeparator = true;
      continue;
    }
    if (afterSeparator) gaps.add(digits.length);
    if (afterSeparator || read.kind !== previous || read.kind === 'chinese') edges.add(digits.length);
    digits += read.digit;
    at.push(index);
    previous = read.kind;
    afterSeparator = false;
  }
  edges.add(digits.length);
  return { digits, at, edges, gaps };
}

function readDigit(char: string): { digit: string; kind: Kind } | undefined {
  const code = char.charCodeAt(0);
  if (code >= 0x30 && code <= 0x39) return { digit: char, kind: 'arabic' };
  if (code >= 0xff10 && code <= 0xff19) return { digit: String.fromCharCode(code - 0xff10 + 0x30), kind: 'arabic' };
  const chinese = CHINESE_DIGITS.get(char);
  if (chinese) return { digit: chinese, kind: 'chinese' };
  if (char === 'X' || char === 'Ｘ') return { digit: 'X', kind: 'check' };
  if (char === 'x' || char === 'ｘ') return { digit: 'x', kind: 'check' };
  return undefined;
}
