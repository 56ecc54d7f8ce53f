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
    // ü is typed as v on every Chinese keyboard (律师 → lvshi).
    cached = pinyin(word, { toneType: 'none', type: 'array' }).join('').replace(/ü/g, 'v');
    if (pinyinCache.size > 50_000) pinyinCache.clear();
    pinyinCache.set(word, cached);
  }
  return cached;
}

/** Bumped whenever `features` changes, so cached models trained on old features are not reused. */
export const FEATURE_VERSION = 3;

/**
 * Features that hold up on real text: words (w:), single characters (c:) and character bigrams
 * (b:) inside Chinese runs so an unknown or mis-segmented word still shares pieces with the
 * examples, and pinyin of words and bigrams (p:, pb:) so a homophone typo still matches. Token
 * arrays only: natural would stem strings.
 */
export function features(tokens: readonly string[], aspects?: AspectCues): string[] {
  const out = new Set<string>();
  const words = contentWords(tokens);
  if (aspects) addAspects(words.join(''), aspects, out);
  for (const word of words) {
    if (!STOPWORDS.has(word)) {
      out.add(`w:${word}`);
      if (CJK.test(word) && word.length >= 2) out.add(`p:${pinyinOf(word)}`);
    }
  }
  addPinyinRuns(words, out);
  const joined = words.join('');
  for (const run of joined.match(/\p{Script=Han}+/gu) ?? []) {
    for (const char of run) if (!STOPWORDS.has(char)) out.add(`c:${char}`);
    for (let i = 0; i + 1 < run.length; i += 1) {
      const bigram = run.slice(i, i + 2);
      out.add(`b:${bigram}`);
      out.add(`pb:${pinyinOf(bigram)}`);
    }
  }
  return [...out];
}

// === what kind of question (a:) ==============================================================

/** aspect → cue words (data/lexicon/aspects.yaml), longest cues first. */
export type AspectCues = ReadonlyArray<readonly [aspect: string, cues: readonly string[]]>;

export function aspectCues(aspects: Record<string, string[]>): AspectCues {
  return Object.entries(aspects).map(([aspect, cues]) => [aspect, [...cues].sort((a, b) => b.length - a.length)] as const);
}

/**
 * "多少个", "在哪", "要钱吗", "多久" ask the same kind of question whatever the topic. One
 * feature per kind (a:stats, a:where, a:cost…) lets the model learn it once across all topics
 * instead of once per topic from that topic's few examples.
 */
function addAspects(text: string, aspects: AspectCues, out: Set<string>): void {
  for (const [aspect, cues] of aspects) if (cues.some((cue) => text.includes(cue))) out.add(`a:${aspect}`);
}

// === pinyin typed instead of characters ("wo yao zhao lv shi", "falvyuanzhu") ==================

const SYLLABLES = new Set(
  ('a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen ceng cha chai chan ' +
    'chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan ' +
    'dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fo ' +
    'fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng hong ' +
    'hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ' +
    'ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo ' +
    'long lou lu luan lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ' +
    'ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian ' +
    'piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ' +
    'ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai ' +
    'shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian tiao tie ting tong tou tu ' +
    'tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang ' +
    'yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng ' +
    'zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo').split(' '),
);
const LATIN = /^[a-z]+$/;

/** Splits "falvyuanzhu" into syllables (fewest pieces), or undefined when it is not pinyin. */
export function pinyinSyllables(word: string): string[] | undefined {
  if (!LATIN.test(word) || word.length > 40) return undefined;
  const best: Array<string[] | undefined> = [[]];
  for (let end = 1; end <= word.length; end += 1) {
    for (let start = Math.max(0, end - 6); start < end; start += 1) {
      const before = best[start];
      const piece = word.slice(start, end);
      if (before && SYLLABLES.has(piece) && (!best[end] || before.length + 1 < (best[end]?.length ?? Infinity))) {
        best[end] = [...before, piece];
      }
    }
  }
  return best[word.length];
}

/**
 * A run of pinyin words gets the pinyin features its characters would have had: each pair of
 * neighbouring syllables (pb:, like a character bigram) and each 2–4-syllable stretch (p:, like
 * a word), so "wo yao zhao lv shi" meets 律师's "lvshi" in the examples.
 */
function addPinyinRuns(words: readonly string[], out: Set<string>): void {
  let run: string[] = [];
  const flush = () => {
    if (run.length >= 2) {
      for (let i = 0; i + 1 < run.length; i += 1) out.add(`pb:${run[i]}${run[i + 1]}`);
      for (let size = 2; size <= 4; size += 1) {
        for (let i = 0; i + size <= run.length; i += 1) out.add(`p:${run.slice(i, i + size).join('')}`);
      }
    }
    run = [];
  };
  for (const word of words) {
    const syllables = pinyinSyllables(word);
    if (syllables) run.push(...syllables);
    else flush();
  }
  flush();
}
