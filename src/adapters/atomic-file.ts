import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The one way this project replaces a file: write a uniquely named temp file next to it, then
 * rename it over the target. A reader (or a process killed at any moment) sees the old file or the
 * new one, never half of either. The temp name carries the pid and a random part, so two writers
 * never share a temp file, and `TEMP_FILE` lets start-up recognise and remove leftovers.
 *
 * `durable: true` also fsyncs the file before the rename (and the folder after it), for data that
 * was acknowledged to someone and must survive a power cut, not only a killed process.
 */
export const TEMP_FILE = /\.tmp-\d+-[0-9a-f]{8}$/;

export interface AtomicWriteOptions {
  durable?: boolean;
}

function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export async function writeFileAtomic(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = await writeTempFile(path, content, options);
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  if (options.durable) await syncDir(dirname(path));
}

/**
 * Writes `content` to a new temp file beside `path` (a name `TEMP_FILE` matches) and returns that
 * name; the caller renames it later. For a change to several files that must land together (the
 * publish journal): every file is written first, and only then renamed.
 */
export async function writeTempFile(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempName(path);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(content);
    if (options.durable) await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  return temp;
}

/** The process id in a temp file's name, or undefined when `name` is not a temp file. */
export function tempFileOwner(name: string): number | undefined {
  const match = /\.tmp-(\d+)-[0-9a-f]{8}$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * Deletes the temp files left in `dir` by writes that never finished, except those of a process
 * for which `stillWriting(pid)` is true; with `of`, only the temps of that one file name.
 * Returns the paths removed; a missing folder has none.
 */
export async function removeLeftoverTemps(dir: string, stillWriting: (pid: number) => boolean, of?: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    if (of !== undefined && !name.startsWith(`${of}.tmp-`)) continue;
    const owner = TEMP_FILE.test(name) ? tempFileOwner(name) : undefined;
    if (owner === undefined || stillWriting(owner)) continue;
    await rm(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

export function writeFileAtomicSync(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempName(path);
  const fd = openSync(temp, 'w');
  try {
    writeFileSync(fd, content);
    if (options.durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** Makes a rename in `dir` durable (a no-op where directories cannot be opened, e.g. Windows). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Directory fsync is not supported everywhere; the rename itself is still atomic.
  }
}
