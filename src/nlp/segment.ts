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


/** Bumped whenever `features` changes, so cached models trained on old features are not reused. */
export const FEATURE_VERSION = 5;

/**
 * Features that hold up on real text: words (w:), and single characters (c:) and character
 * bigrams (b:) inside Chinese runs, so an unknown or mis-segmented word still shares pieces with
 * the examples; the kind of question (a:); syllables of a message typed in pinyin (y:, yb:).
 *
 * The pinyin of Chinese words and bigrams was a feature too, for homophone typos; measured on
 * real citizens' questions it cost two points (different words that sound alike pulled stories
 * apart), so typos are folded by data/lexicon/homophones.yaml before segmentation instead.
 */
export function features(tokens: readonly string[], aspects?: AspectCues): string[] {
  const out = new Set<string>();
  const words = contentWords(tokens);
  const joined = words.join('');
  if (aspects) addAspects(joined, aspects, out);
  for (const word of words) for (const feature of wordFeatures(word)) out.add(feature);
  if (LATIN_ANYWHERE.test(joined)) addPinyinRuns(words, out);
  for (const run of joined.match(HAN_RUN) ?? []) {
    for (const char of run) if (!STOPWORDS.has(char)) out.add(`c:${char}`);
    for (let i = 0; i + 1 < run.length; i += 1) for (const feature of bigramFeatures(run.slice(i, i + 2))) out.add(feature);
  }
  return [...out];
}

const HAN_RUN = /\p{Script=Han}+/gu;
const LATIN_ANYWHERE = /[a-z]/;

/**
 * The features of a word and of a bigram are the same every time they occur: built once and
 * kept (bounded), which saves most of the string building on every message.
 */
const wordCache = new Map<string, readonly string[]>();
const bigramCache = new Map<string, readonly string[]>();
const FEATURE_CACHE_LIMIT = 100_000;

function wordFeatures(word: string): readonly string[] {
  let cached = wordCache.get(word);
  if (cached === undefined) {
    cached = STOPWORDS.has(word) ? [] : [`w:${word}`];
    if (wordCache.size > FEATURE_CACHE_LIMIT) wordCache.clear();
    wordCache.set(word, cached);
  }
  return cached;
}

function bigramFeatures(bigram: string): readonly string[] {
  let cached = bigramCache.get(bigram);
  if (cached === undefined) {
    cached = [`b:${bigram}`];
    if (bigramCache.size > FEATURE_CACHE_LIMIT) bigramCache.clear();
    bigramCache.set(bigram, cached);
  }
  return cached;
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

/**
 * The message as someone would type it in pinyin ("法律援助怎么申请" → "fa lv yuan zhu zen me
 * shen qing"), for training: the model then learns the syllable features of pinyin-only messages
 * from the same examples.
 */
export function asPinyin(text: string): string {
  return pinyin(text, { toneType: 'none', type: 'array', nonZh: 'removed' }).join(' ').replace(/ü/g, 'v');
}

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
 * A run of pinyin words gets features of its own: each pair of neighbouring syllables (yb:, like
 * a character bigram) and each 2–4-syllable stretch (y:, like a word). They are learnt from
 * examples written out in pinyin (see the engine's training set), and kept apart from the pinyin
 * of Chinese text (p:, pb:) so those examples do not change how Chinese messages are read.
 */
function addPinyinRuns(words: readonly string[], out: Set<string>): void {
  let run: string[] = [];
  const flush = () => {
    if (run.length >= 2) {
      for (let i = 0; i + 1 < run.length; i += 1) out.add(`yb:${run[i]}${run[i + 1]}`);
      for (let size = 2; size <= 4; size += 1) {
        for (let i = 0; i + size <= run.length; i += 1) out.add(`y:${run.slice(i, i + size).join('')}`);
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
