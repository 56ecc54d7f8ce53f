import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createJiebaSegmenter } from './adapters/jieba.ts';
import { trainInBackground } from './adapters/background-training.ts';
import { loadKnowledgeCached } from './adapters/knowledge-files.ts';
import { createModelCache } from './adapters/model-cache.ts';
import { addSourceLines, knowledgeFileLocator } from './adapters/source-lines.ts';
import { createEngine, KnowledgeError, type Engine, type SwapResult } from './engine.ts';
import type { ClassifierDesign } from './nlp/classify.ts';
import type { KnowledgeBase } from './knowledge/schema.ts';
import type { Issue } from './lib/issues.ts';
import { createLogger, type Logger } from './lib/logger.ts';

/**
 * Builds the engine from the files on disk; shared by every composition root (main, CLI,
 * eval, bench). `reload` re-reads the files and swaps them in only if they are valid.
 */

export interface CoreOptions {
  intentsDir: string;
  dataDir: string;
  threshold?: number;
  margin?: number;
  contextTtlMinutes?: number;
  design?: ClassifierDesign;
  /** Where derived dictionary files are cached (default: the OS temp dir). */
  cacheDir?: string;
  /** Says what recovering an interrupted publish did (default: warnings on stderr). */
  logger?: Logger;
}

export interface CoreServices {
  engine: Engine;
  reload(): Promise<SwapResult>;
  /** An engine for other knowledge (a console draft), trained off the main thread. */
  buildEngine(kb: KnowledgeBase): Promise<Engine>;
  paths: { intentsDir: string; dataDir: string };
}

export async function bootCore(options: CoreOptions): Promise<CoreServices> {
  const paths = { intentsDir: options.intentsDir, dataDir: options.dataDir };
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const logger = options.logger ?? createLogger('warn');
  // The loader first finishes or clears a publish that was interrupted (publish-journal.ts).
  const loaded = await loadKnowledgeCached(paths, cacheDir, logger);
  if (!loaded.kb) throw new KnowledgeError(loaded.issues);
  // The engine's cross-file lint knows a problem's path, not its line: add it for whoever prints it.
  const withLines = (issues: Issue[]) => addSourceLines(issues, knowledgeFileLocator(paths));
  let engine: Engine;
  try {
    engine = createEngine(loaded.kb, { ...engineOptions(options) });
  } catch (error) {
    if (error instanceof KnowledgeError) throw new KnowledgeError(await withLines(error.issues));
    throw error;
  }
  return {
    engine,
    paths,
    async reload() {
      const next = await loadKnowledgeCached(paths, cacheDir, logger);
      if (!next.kb) return { ok: false, issues: next.issues };
      // Train in a child process first, so the swap finds the model cached and chats go on.
      await trainInBackground(next.kb, cacheDir);
      const swapped = engine.swap(next.kb);
      return swapped.ok ? { ...swapped, warnings: await withLines(swapped.warnings) } : { ...swapped, issues: await withLines(swapped.issues) };
    },
    async buildEngine(kb) {
      await trainInBackground(kb, cacheDir);
      return createEngine(kb, { ...engineOptions({ ...options, cacheDir }) });
    },
  };
}

export function engineOptions(options: Omit<CoreOptions, 'intentsDir' | 'dataDir'>) {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  return {
    segmenterFor: (kb: KnowledgeBase) => createJiebaSegmenter({ dictionary: kb.dictionary, cacheDir }).segment,
    modelCache: createModelCache(join(cacheDir, 'models')),
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
    ...(options.margin !== undefined ? { margin: options.margin } : {}),
    ...(options.contextTtlMinutes !== undefined ? { contextTtlMinutes: options.contextTtlMinutes } : {}),
    ...(options.design ? { design: options.design } : {}),
  };
}

/** Derived files (compact jieba dictionary, parsed knowledge, trained models). */
export function defaultCacheDir(): string {
  return join(tmpdir(), 'leping-legal-bot');
}
