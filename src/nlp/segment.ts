/**
 * Stage 2: words. The port is declared here and implemented by adapters/jieba.ts (native,
 * process-global); tests use a fake. `features` turns words into what the classifier sees.
 */
import { pinyin } from 'pinyin-pro';

/** Splits normalised text into words (no offsets needed by the classifier). */
export type Segmenter = (text: string) => string[];

const PUNCTUATION_OR_SPACE = /^[\s\p{P}\p{S}]+$/u;
const CJK = /\p{Script=Han}/u;

/** Function words that carry no topic; kept out of features, not out of the trace. */
const STOPWORDS = new Set([
  '的', '了', '吗', '呢', '吧', '啊', '呀', '嘛', '哦', '是', '我', '你', '他', '她', '它', '我们',
  '在', '有', '和', '就', '都', '也', '还', '要', '这', '那', '个', '请问', '一下',
  '什么', '怎么', '如何', '可以', '能', '想', '会', '把', '给', '对', '与', '及',
  '着', '过', '呗', '哈', '嗯', '么', '么样',
]);

export function contentWords(tokens: readonly string[]): string[] {
  return tokens.filter((token) => !PUNCTUATION_OR_SPACE.test(token) && token.trim() !== '');
}

const pinyinCache = new Map<string, string>();

/** Toneless pinyin of a Chinese word; homophones (干服通/赣服通) share it. */
export function pinyinOf(word: string): string {
  let cached = pinyinCache.get(word);
  if (cached === undefined) {
    cached = pinyin(word, { toneType: 'none', type: 'array' }).join('');
    if (pinyinCache.size > 50_000) pinyinCache.clear();
    pinyinCache.set(word, cached);
  }
  return cached;
}

/**
 * Features that hold up on real text: words (w:), character bigrams inside Chinese runs (b:) so
 * an unknown or mis-segmented word still shares pieces with the examples, and pinyin of words and
 * bigrams (p:) so a homophone typo still matches. Token arrays only: natural would stem strings.
 */
export function features(tokens: readonly string[]): string[] {
  const out = new Set<string>();
  const words = contentWords(tokens);
  for (const word of words) {
    if (!STOPWORDS.has(word)) {
      out.add(`w:${word}`);
      if (CJK.test(word) && word.length >= 2) out.add(`p:${pinyinOf(word)}`);
    }
  }
  const joined = words.join('');
  for (const run of joined.match(/\p{Script=Han}+/gu) ?? []) {
    for (let i = 0; i + 1 < run.length; i += 1) {
      const bigram = run.slice(i, i + 2);
      out.add(`b:${bigram}`);
      out.add(`pb:${pinyinOf(bigram)}`);
    }
  }
  return [...out];
}
