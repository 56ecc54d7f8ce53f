import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from './atomic-file.ts';

/**
 * Derived files in the cache folder (jieba's compact dictionary, parsed knowledge, lint results,
 * trained models): written whole or not at all, so two processes starting at once never read
 * half a file, and pruned to the newest few.
 */
export function writeCacheFile(path: string, content: string | Buffer): void {
  writeFileAtomicSync(path, content);
}

/** Keeps the `keep` newest files of `dir` whose names match `pattern`. */
export function keepNewest(dir: string, pattern: RegExp, keep: number): void {
  const files = readdirSync(dir)
    .filter((name) => pattern.test(name))
    .map((name) => ({ name, mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const file of files.slice(keep)) rmSync(join(dir, file.name), { force: true });
}
