import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layout rules from the house style, checked on every import so they cannot drift:
 * the core is pure and imports point inward; production code never reads test/.
 */
const SRC = 'src';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'public' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const files = sources(SRC).map((file) => ({
  file: relative(SRC, file),
  text: readFileSync(file, 'utf8'),
  imports: [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!),
}));

/** Folder of a project import, resolved against the importing file ('adapters', 'nlp', …). */
function layerOf(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const resolved = join(from, '..', specifier);
  return resolved.split('/')[0];
}

const PURE = ['nlp', 'knowledge', 'dialogue', 'evaluation'];
const OUTER = ['adapters', 'channels', 'admin', 'chat', 'main.ts', 'bootstrap.ts'];

describe('layout', () => {
  it('the pure core (nlp, knowledge, dialogue, evaluation) imports no I/O and nothing from the outer layers', () => {
    const offending = files
      .filter(({ file }) => PURE.includes(file.split('/')[0]!))
      .flatMap(({ file, imports }) =>
        imports
          .filter((specifier) => /^node:(fs|child_process|net|http|https|worker_threads)/.test(specifier) || OUTER.includes(layerOf(file, specifier) ?? ''))
          .map((specifier) => `${file} → ${specifier}`),
      );
    expect(offending).toEqual([]);
  });

  it('nlp does not depend on dialogue (dialogue builds on nlp)', () => {
    const offending = files
      .filter(({ file }) => file.startsWith('nlp/'))
      .flatMap(({ file, imports }) => imports.filter((specifier) => layerOf(file, specifier) === 'dialogue').map((specifier) => `${file} → ${specifier}`));
    expect(offending).toEqual([]);
  });

  it('use cases (admin, chat) import ports, never adapters or channels', () => {
    const offending = files
      .filter(({ file }) => file.startsWith('admin/') || file.startsWith('chat/'))
      .flatMap(({ file, imports }) =>
        imports.filter((specifier) => ['adapters', 'channels'].includes(layerOf(file, specifier) ?? '')).map((specifier) => `${file} → ${specifier}`),
      );
    expect(offending).toEqual([]);
  });

  it('production code never reads the test folder', () => {
    const offending = files.filter(({ text }) => /['"`](?:\.\.?\/)*test\//.test(text)).map(({ file }) => file);
    expect(offending).toEqual([]);
  });
});
