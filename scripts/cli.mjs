#!/usr/bin/env node
/**
 * `npm run cli` runs the staff CLI as compiled JavaScript: transpiling ~80 TypeScript files at
 * every call cost about half a second of each answer. The bundle (dist/cli.mjs, git-ignored)
 * is rebuilt with esbuild whenever a file under src/ is newer than it, so an edit is never
 * served stale; the check stats the source tree and takes a few milliseconds.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src/channels/cli/main.ts');
const bundle = join(root, 'dist/cli.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    if (name.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (name.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource(join(root, 'src'))) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies stay in node_modules (nodejieba is a native addon); only our code is bundled.
    packages: 'external',
    logLevel: 'warning',
  });
}
await import(pathToFileURL(bundle).href);
