import * as OpenCC from 'opencc-js/t2cn';

/**
 * Stage 1: turn what a citizen typed into one canonical form, so that every later stage sees
 * 赣服通 whether they wrote 干服通, 贛服通 or ｇａｎ… Pure: the homophone table is passed in.
 */

/** Characters after this are ignored: a citizen's long story is answered from its start. */
export const MAX_MESSAGE_CHARS = 600;

export interface Normalized {
  /** Canonical text the classifier sees. */
  text: string;
  originalLength: number;
  /** The message was longer than MAX_MESSAGE_CHARS; the rest was ignored. */
  truncated: boolean;
  /** Nothing left after cleaning (empty, whitespace, control characters). */
  empty: boolean;
  /** Only emoji/symbols: nothing to understand, but not an error either. */
  emojiOnly: boolean;
  /** Looks like binary data (replacement or control characters), not a message. */
  binary: boolean;
}

export type Normalizer = (raw: string) => Normalized;

// OpenCC's tw→cn covers both Taiwan and Hong Kong forms well enough for the words we match.
const convert = OpenCC.Converter({ from: 'tw', to: 'cn' });

/**
 * Most messages are simplified already, and OpenCC walks its phrase dictionary over every
 * character regardless (a tenth of the time a message takes). Whether a character has a
 * simplified form is remembered per character; only a message with one is converted, as a whole,
 * so phrase-level conversions still apply.
 */
const traditional = new Map<string, boolean>();
function toSimplified(text: string): string {
  for (const char of text) {
    if (char.charCodeAt(0) < 0x3400) continue;
    let changes = traditional.get(char);
    if (changes === undefined) {
      changes = convert(char) !== char;
      if (traditional.size < 100_000) traditional.set(char, changes);
    }
    if (changes) return convert(text);
  }
  return text;
}

const ZERO_WIDTH = /[\u200B-\u200F\u2028-\u202F\u2060-\u206F\uFEFF]/g;
// Control characters except tab/newline, which become spaces.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const EMOJI = /(\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u20E3|\uFE0F)/gu;
const CHINESE_DIGITS: Record<string, string> = {
  零: '0', 〇: '0', 一: '1', 幺: '1', 二: '2', 三: '3', 四: '4',
  五: '5', 六: '6', 七: '7', 八: '8', 九: '9',
};
// Runs of 3+ Chinese digits (or mixed with Arabic ones) are phone-style numbers: 一二三四八 → 12348.
const DIGIT_RUN = /[零〇一幺二三四五六七八九0-9]{3,}/g;
const MEANINGFUL = /[\p{L}\p{N}]/u;

export function createNormalizer(homophones: Record<string, string[]>, bilingual: Record<string, string[]> = {}): Normalizer {
  const replacements = buildReplacements(homophones);
  const english = buildEnglish(bilingual);
  return (raw: string) => normalize(raw, replacements, english);
}

interface EnglishTerms {
  pattern: RegExp;
  chinese: Map<string, string>;
}

/** English words and phrases, longest first, matched as whole words. */
function buildEnglish(bilingual: Record<string, string[]>): EnglishTerms | undefined {
  const chinese = new Map<string, string>();
  for (const [term, words] of Object.entries(bilingual)) for (const word of words) chinese.set(word.toLowerCase().trim(), term);
  if (chinese.size === 0) return undefined;
  const alternatives = [...chinese.keys()].sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+'));
  return { pattern: new RegExp(`(?<![a-z])(${alternatives.join('|')})(?![a-z])`, 'g'), chinese };
}

function normalize(raw: string, replacements: Array<[string, string]>, english?: EnglishTerms): Normalized {
  const input = typeof raw === 'string' ? raw : '';
  const originalLength = input.length;
  const binary = looksBinary(input);
  const capped = input.slice(0, MAX_MESSAGE_CHARS * 2);

  let text = capped.replace(ZERO_WIDTH, '').replace(CONTROL, ' ').replace(/\uFFFD/g, '');
  text = text.normalize('NFKC').toLowerCase();
  const withoutEmoji = text.replace(EMOJI, ' ');
  const emojiOnly = text.trim() !== '' && !MEANINGFUL.test(withoutEmoji);
  text = withoutEmoji.replace(/\s+/g, ' ').trim();
  text = toSimplified(text);
  text = text.replace(DIGIT_RUN, convertDigitRun);
  if (english && /[a-z]/.test(text)) {
    text = text.replace(english.pattern, (word) => english.chinese.get(word.replace(/\s+/g, ' ')) ?? word);
  }
  for (const [from, to] of replacements) {
    if (text.includes(from)) text = text.split(from).join(to);
  }
  const truncated = text.length > MAX_MESSAGE_CHARS || originalLength > MAX_MESSAGE_CHARS * 2;
  text = text.slice(0, MAX_MESSAGE_CHARS);
  return {
    text,
    originalLength,
    truncated,
    empty: text === '' && !emojiOnly,
    emojiOnly,
    binary,
  };
}

/** Only runs that contain a Chinese digit and look like a number are converted. */
function convertDigitRun(run: string): string {
  const chinese = [...run].filter((ch) => ch in CHINESE_DIGITS).length;
  if (chinese === 0) return run;
  // 三四五 inside a sentence is rare; 一二三四八 / 幺幺零 / 12三48 are numbers people dial.
  return [...run].map((ch) => CHINESE_DIGITS[ch] ?? ch).join('');
}

function looksBinary(input: string): boolean {
  if (input.length === 0) return false;
  const sample = input.slice(0, 2000);
  let bad = 0;
  for (const ch of sample) {
    const code = ch.codePointAt(0) ?? 0;
    if (code === 0xfffd || (code < 32 && code !== 9 && code !== 10 && code !== 13)) bad += 1;
  }
  return bad / sample.length > 0.1;
}

/** Longest misspelling first, so 干服通 is replaced before a shorter overlapping form. */
function buildReplacements(homophones: Record<string, string[]>): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [canonical, variants] of Object.entries(homophones)) {
    const target = toSimplified(canonical.normalize('NFKC').toLowerCase());
    for (const variant of variants) {
      const from = toSimplified(variant.normalize('NFKC').toLowerCase());
      if (from && from !== target) pairs.push([from, target]);
    }
  }
  return pairs.sort((a, b) => b[0].length - a[0].length);
}
