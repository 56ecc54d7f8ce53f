import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeCacheFile } from './cache-files.ts';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Segmenter } from '../nlp/segment.ts';

/**
 * The only file that touches nodejieba. nodejieba is process-global: `load` replaces the
 * dictionaries for the whole process, so it happens once here, with our domain dictionary.
 *
 * Cold start: nodejieba's full dictionary (349k words) takes about 2.5 s to load on this
 * machine; the words with frequency ≥ 10 (105k) load in about 0.8 s and segment everyday
 * questions the same way. The compact copy is derived from the installed package on first use
 * and cached; `minFrequency: 0` uses the full dictionary.
 */

const require = createRequire(import.meta.url);

interface NodeJieba {
  DEFAULT_DICT: string;
  DEFAULT_HMM_DICT: string;
  load(options: Record<string, string>): unknown;
  cut(text: string, hmm?: boolean): string[];
  insertWord(word: string, tag?: string): boolean;
}

export interface JiebaOptions {
  /** Lines of our user dictionary (`word [freq] [tag]`), from data/lexicon/*.dict.utf8. */
  dictionary: readonly string[];
  /** Keep base-dictionary words at least this frequent; 0 = the full dictionary. */
  minFrequency?: number;
  /** Where derived dictionary files are cached. */
  cacheDir?: string;
}

export interface JiebaSegmenter {
  segment: Segmenter;
  /** Adds a word at run time (an admin's new term) without a restart. */
  insertWord(word: string): void;
}

let loaded: { key: string; jieba: NodeJieba } | undefined;

export function createJiebaSegmenter(options: JiebaOptions): JiebaSegmenter {
  const jieba = loadOnce(options);
  return {
    segment: (text: string) => (text === '' ? [] : jieba.cut(text, true)),
    insertWord: (word: string) => {
      if (word.trim()) jieba.insertWord(word.trim());
    },
  };
}

function loadOnce(options: JiebaOptions): NodeJieba {
  const minFrequency = options.minFrequency ?? 10;
  const key = `${minFrequency}\n${options.dictionary.join('\n')}`;
  if (loaded) {
    // Same process, new data (hot reload): add the words instead of reloading everything.
    if (loaded.key !== key) for (const line of options.dictionary) insertLine(loaded.jieba, line);
    return loaded.jieba;
  }
  const jieba = require('nodejieba') as NodeJieba;
  const cacheDir = options.cacheDir ?? join(tmpdir(), 'leping-legal-bot');
  mkdirSync(cacheDir, { recursive: true });
  const userDict = writeIfChanged(join(cacheDir, 'user.dict.utf8'), `${options.dictionary.join('\n')}\n`);
  const stopWordDict = writeIfChanged(join(cacheDir, 'stop.utf8'), '的\n');
  const idfDict = writeIfChanged(join(cacheDir, 'idf.utf8'), '的 1\n');
  jieba.load({
    dict: baseDictionary(jieba, minFrequency, cacheDir),
    hmmDict: jieba.DEFAULT_HMM_DICT,
    userDict,
    // Keyword extraction is unused; tiny files keep start-up fast.
    idfDict,
    stopWordDict,
  });
  loaded = { key, jieba };
  return jieba;
}

function insertLine(jieba: NodeJieba, line: string): void {
  const [word, , tag] = line.trim().split(/\s+/);
  if (word) jieba.insertWord(word, tag);
}

function baseDictionary(jieba: NodeJieba, minFrequency: number, cacheDir: string): string {
  if (minFrequency <= 0) return jieba.DEFAULT_DICT;
  const target = join(cacheDir, `jieba-min${minFrequency}.dict.utf8`);
  if (existsSync(target)) return target;
  const kept = readFileSync(jieba.DEFAULT_DICT, 'utf8')
    .split('\n')
    .filter((line) => Number(line.split(' ')[1]) >= minFrequency);
  return writeIfChanged(target, `${kept.join('\n')}\n`);
}

function writeIfChanged(path: string, content: string): string {
  if (!(existsSync(path) && readFileSync(path, 'utf8') === content)) writeCacheFile(path, content);
  return path;
}
