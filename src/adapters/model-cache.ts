import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelCache } from '../engine.ts';
import type { SerializedLogReg } from '../nlp/logreg.ts';

/**
 * Trained classifiers on disk, one file per key (a hash of everything the model learns from), so
 * a start or a CLI call with unchanged knowledge skips training. A publish changes the key and
 * trains once. Format: a JSON header line, then the weights as raw little-endian float32.
 * A missing, unreadable or truncated file is simply a cache miss.
 */

const KEEP = 4;

export function createModelCache(dir: string): ModelCache {
  const fileOf = (key: string) => join(dir, `model-${key}.bin`);
  return {
    load(key) {
      try {
        const buffer = readFileSync(fileOf(key));
        const newline = buffer.indexOf(0x0a);
        if (newline < 0) return undefined;
        const header = JSON.parse(buffer.subarray(0, newline).toString('utf8')) as Omit<SerializedLogReg, 'weights'> & { weightCount: number };
        const bytes = buffer.subarray(newline + 1);
        if (bytes.length !== header.weightCount * 4) return undefined;
        // Copy into an aligned buffer: the file's bytes may start at any offset.
        const weights = new Float32Array(header.weightCount);
        new Uint8Array(weights.buffer).set(bytes);
        return { labels: header.labels, features: header.features, idf: header.idf, bias: header.bias, weights };
      } catch {
        return undefined;
      }
    },
    save(key, model) {
      try {
        mkdirSync(dir, { recursive: true });
        const header = JSON.stringify({ labels: model.labels, features: model.features, idf: model.idf, bias: model.bias, weightCount: model.weights.length });
        const temp = `${fileOf(key)}.${process.pid}.tmp`;
        writeFileSync(temp, Buffer.concat([Buffer.from(`${header}\n`, 'utf8'), Buffer.from(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength)]));
        renameSync(temp, fileOf(key));
        prune(dir);
      } catch {
        // A read-only or full disk only costs the next start a retrain.
      }
    },
  };
}

/** Keeps the newest few models (each publish makes one). */
function prune(dir: string): void {
  const files = readdirSync(dir)
    .filter((name) => /^model-[0-9a-f]+\.bin$/.test(name))
    .map((name) => ({ name, mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const file of files.slice(KEEP)) rmSync(join(dir, file.name), { force: true });
}
