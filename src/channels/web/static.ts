import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';

/**
 * The console's pages and assets, read once from `public/` at start-up (they are small and do
 * not change while the server runs). Nothing is fetched from the internet.
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export interface StaticFile {
  body: Buffer;
  type: string;
}

export async function loadPublicFiles(dir: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  async function walk(at: string) {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.set(`/${relative(dir, path).split('\\').join('/')}`, {
        body: await readFile(path),
        type: TYPES[extname(entry.name)] ?? 'application/octet-stream',
      });
    }
  }
  await walk(dir);
  return files;
}
