import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelCache } from '../engine.ts';
import { keepNewest, writeCacheFile } from './cache-files.ts';
import type { Issue } from '../lib/issues.ts';
import type { SerializedModel } from '../nlp/logreg.ts';

/**
 * Trained classifiers on disk, one file per key (a hash of everything the model learns from), so
 * a start or a CLI call with unchanged knowledge skips training. A publish changes the key and
 * trains once. Format: one JSON header line (feature names, labels, array lengths), then the
 * IDF, each head's bias and weights as raw little-endian float32, in header order. A missing,
 * unreadable or truncated file is simply a cache miss.
 */

const KEEP = 4;

interface Header {
  features: string[];
  heads: Array<{ name: string; labels: string[]; weightCount: number }>;
}

/** Where the model for `key` is kept (also checked by background-training.ts). */
export function modelFile(dir: string, key: string): string {
  return join(dir, `model-${key}.bin`);
}

export function createModelCache(dir: string): ModelCache {
  const fileOf = (key: string) => modelFile(dir, key);
  return {
    load(key) {
      try {
        const buffer = readFileSync(fileOf(key));
        const newline = buffer.indexOf(0x0a);
        if (newline < 0) return undefined;
        const header = JSON.parse(buffer.subarray(0, newline).toString('utf8')) as Header;
        // Copy into one aligned buffer: the file's bytes may start at any offset.
        const floats = new Float32Array((buffer.length - newline - 1) / 4);
        new Uint8Array(floats.buffer).set(buffer.subarray(newline + 1, newline + 1 + floats.length * 4));
        let at = 0;
        const take = (count: number) => {
          const part = floats.subarray(at, at + count);
          at += count;
          return part;
        };
        const idf = take(header.features.length);
        const heads = header.heads.map((head) => ({ name: head.name, labels: head.labels, bias: take(head.labels.length), weights: take(head.weightCount) }));
        // A truncated file leaves the last arrays short: a miss, not a half-loaded model.
        if (at !== floats.length || heads.some((head, i) => head.weights.length !== header.heads[i]?.weightCount)) return undefined;
        return { features: header.features, idf, heads };
      } catch {
        return undefined;
      }
    },
    loadIssues(key) {
      try {
        return JSON.parse(readFileSync(join(dir, `lint-${key}.json`), 'utf8')) as Issue[];
      } catch {
        return undefined;
      }
    },
    saveIssues(key, issues) {
      try {
        writeCacheFile(join(dir, `lint-${key}.json`), JSON.stringify(issues));
        keepNewest(dir, /^lint-[0-9a-f]+\.json$/, KEEP);
      } catch {
        // only costs the next start a lint
      }
    },
    save(key, model) {
      try {
        const header: Header = { features: model.features, heads: model.heads.map((head) => ({ name: head.name, labels: head.labels, weightCount: head.weights.length })) };
        const parts = [Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), bytes(model.idf)];
        for (const head of model.heads) parts.push(bytes(head.bias), bytes(head.weights));
        writeCacheFile(fileOf(key), Buffer.concat(parts));
        keepNewest(dir, /^model-[0-9a-f]+\.bin$/, KEEP);
      } catch {
        // A read-only or full disk only costs the next start a retrain.
      }
    },
  };
}

function bytes(array: Float32Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}
