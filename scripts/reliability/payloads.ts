import fc from 'fast-check';
import { questions } from './stats.ts';

/**
 * Hostile text for the fuzzers: the alphabet citizens' phones and copy-paste actually produce
 * (emoji, control and bidi characters, lone surrogates from cut-off UTF-16), markup that would
 * run if a page rendered it as HTML, and text that looks like JSON.
 */

/** Sets window.__pwned and carries data-pwn, so the browser check can count both a script that
 *  ran and markup that was rendered as elements (even where the CSP stopped the script). */
export const XSS_PAYLOADS = [
  '<script>window.__pwned=(window.__pwned||0)+1</script>',
  '<img src=x data-pwn=1 onerror="window.__pwned=(window.__pwned||0)+1">',
  '"><svg data-pwn=1 onload="window.__pwned=(window.__pwned||0)+1">',
  "'><iframe data-pwn=1 srcdoc=\"<script>parent.__pwned=(parent.__pwned||0)+1</script>\"></iframe>",
  '<a data-pwn=1 href="javascript:window.__pwned=(window.__pwned||0)+1">点我</a>',
  '法律援助<b data-pwn=1 onmouseover="window.__pwned=1">怎么申请</b>',
  '</textarea></title><script>window.__pwned=(window.__pwned||0)+1</script>',
  '{{constructor.constructor("window.__pwned=1")()}}',
];

const CONTROL = [...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)), '\u007f', '\u0085', '\u009b'];
const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u3000'];
const EMOJI = ['😀', '👍', '👍🏽', '👨‍👩‍👧‍👦', '🇨🇳', '❤️', '🙏', '⚖️', '🧑🏻‍⚖️', '\u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}'];
const NUMBERS = ['360281199001011234', '13812345678', '6222021234567890123', '０７９８－１２３４５６７', '12348'];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...questions()) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: loneSurrogate },
  { weight: 2, arbitrary: fc.constantFrom(...CONTROL) },
  { weight: 2, arbitrary: fc.constantFrom(...BIDI) },
  { weight: 1, arbitrary: fc.constantFrom(...INVISIBLE) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...EMOJI), fc.integer({ min: 1, max: 60 })).map(([emoji, count]) => emoji.repeat(count)) },
  { weight: 2, arbitrary: fc.constantFrom(...XSS_PAYLOADS) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom(' ', '\n', '\t', '\r\n', '   ', '？', '！', '。') },
);

/** A message made of hostile pieces; about 1 in 60 is padded to 100,000 characters. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 59, arbitrary: fc.array(piece, { minLength: 0, maxLength: 8 }).map((parts) => parts.join('')) },
  {
    weight: 1,
    arbitrary: fc.tuple(piece, fc.constantFrom(...questions())).map(([filler, question]) => {
      const unit = filler.length > 0 ? filler : '法';
      return (question + unit.repeat(Math.ceil(100_000 / unit.length))).slice(0, 100_000);
    }),
  },
);

// ES2024's String#isWellFormed/toWellFormed exist in Node 20 but not in this project's TS lib.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** True when the text cannot be encoded as UTF-8 (a lone UTF-16 surrogate). */
export function hasLoneSurrogate(text: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(text);
}

export function replaceLoneSurrogates(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}
