import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * What a crash left on disk, read the way any tool would: every JSON, JSON-lines and YAML file
 * must parse; files moved aside as `*.corrupt-*` and leftover temp files are counted.
 */

export interface DiskCheck {
  /** Files (relative to their root) that do not parse. */
  unparseable: string[];
  /** JSON-lines files whose last line was cut short (a crash mid-append). */
  tornJsonl: string[];
  corrupt: string[];
  temps: string[];
  files: number;
  bytes: number;
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return []; // a folder the server has not created yet
  }
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(path)));
    else found.push(path);
  }
  return found;
}

export async function checkFiles(roots: string[]): Promise<DiskCheck> {
  const check: DiskCheck = { unparseable: [], tornJsonl: [], corrupt: [], temps: [], files: 0, bytes: 0 };
  for (const root of roots) {
    for (const file of await walk(root)) {
      const name = relative(root, file);
      check.files += 1;
      if (/\.corrupt-/.test(name)) {
        check.corrupt.push(name);
        continue;
      }
      if (/\.tmp(\b|-)/.test(name)) {
        check.temps.push(name);
        continue;
      }
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue; // removed between the listing and the read
      check.bytes += Buffer.byteLength(text);
      if (!parses(name, text)) check.unparseable.push(name);
      if (name.endsWith('.jsonl') && text !== '' && !text.endsWith('\n')) check.tornJsonl.push(name);
    }
  }
  return check;
}

function parses(name: string, text: string): boolean {
  try {
    if (name.endsWith('.json')) {
      JSON.parse(text);
    } else if (name.endsWith('.jsonl')) {
      for (const line of text.split('\n')) if (line.trim()) JSON.parse(line);
    } else if (name.endsWith('.yaml') || name.endsWith('.yml')) {
      parseYaml(text);
    }
    return true;
  } catch {
    return false;
  }
}

/** A hash of every file under the roots: validation is only re-run when the knowledge changed. */
export async function hashTree(roots: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const root of roots) {
    for (const file of (await walk(root)).sort()) {
      hash.update(relative(root, file));
      hash.update(await readFile(file).catch(() => Buffer.alloc(0)));
    }
  }
  return hash.digest('hex');
}
