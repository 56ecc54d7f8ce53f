import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRuntimeStore } from '../../src/adapters/runtime-store.ts';
import { bootCore } from '../../src/bootstrap.ts';
import type { DialogueState } from '../../src/dialogue/types.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { REPO } from './server.ts';
import { questions, round } from './stats.ts';

/**
 * State growth through the RuntimeStore port: many saved conversations (each a real state from
 * the engine), then steady saving on top, measuring how long the event loop stalls (every other
 * chat waits that long), how long a flush takes, memory, and the size on disk.
 */

export interface StateGrowthOptions {
  sessions: number;
  /** Saves after the fill, while the event loop is watched. */
  steadySaves: number;
}

export interface StateGrowthResult {
  sessions: number;
  steadySaves: number;
  fillMs: number;
  flushAfterFillMs: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  steadyMs: number;
  flushMs: number;
  reopenMs: number;
  /** Saved sessions the reopened store does not have (flush() had returned: expect 0). */
  missingAfterReopen: number;
  rssMiB: number;
  peakRssMiB: number;
  diskMiB: number;
  stateFileMiB: number;
}

export async function stateGrowth(options: StateGrowthOptions): Promise<StateGrowthResult> {
  const core = await bootCore({ intentsDir: join(REPO, 'intents'), dataDir: join(REPO, 'data') });
  // A state with some history, shaped exactly as the engine makes it.
  let state: DialogueState | undefined;
  for (const text of questions().slice(0, 4)) state = core.engine.respond({ kind: 'text', text }, state).state;
  const template = state!;

  const dir = await mkdtemp(join(tmpdir(), 'reliability-state-'));
  const logger = createLogger('silent');
  const store = await createRuntimeStore({ dir, logger });
  const sessionState = (index: number): DialogueState => ({ ...structuredClone(template), updatedAt: new Date(Date.now() - (index % 1000) * 1000).toISOString() });

  let started = performance.now();
  for (let index = 0; index < options.sessions; index += 1) await store.saveState(`web:growth-${index}`, sessionState(index));
  const fillMs = performance.now() - started;
  started = performance.now();
  await store.flush();
  const flushAfterFillMs = performance.now() - started;

  // Steady traffic: a batch of saves per turn of the event loop, as many chats answered at once.
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  started = performance.now();
  for (let index = 0; index < options.steadySaves; index += 1) {
    await store.saveState(`web:growth-${(index * 7919) % Math.max(1, options.sessions)}`, sessionState(index));
    if (index % 50 === 49) await new Promise((done) => setImmediate(done));
  }
  // Let the debounced writes the saves scheduled actually run while we watch.
  await new Promise((done) => setTimeout(done, 1000));
  const steadyMs = performance.now() - started - 1000;
  delay.disable();
  started = performance.now();
  await store.flush();
  const flushMs = performance.now() - started;

  started = performance.now();
  const reopened = await createRuntimeStore({ dir, logger });
  const reopenMs = performance.now() - started;
  let missingAfterReopen = 0;
  for (let index = 0; index < options.sessions; index += 1) {
    if ((await reopened.getState(`web:growth-${index}`)) === undefined) missingAfterReopen += 1;
  }

  const sizes = await diskUsage(dir);
  const result: StateGrowthResult = {
    sessions: options.sessions,
    steadySaves: options.steadySaves,
    fillMs: Math.round(fillMs),
    flushAfterFillMs: Math.round(flushAfterFillMs),
    eventLoopDelayMs: {
      p50: round(delay.percentile(50) / 1e6),
      p99: round(delay.percentile(99) / 1e6),
      max: round(delay.max / 1e6),
    },
    steadyMs: Math.round(steadyMs),
    flushMs: Math.round(flushMs),
    reopenMs: Math.round(reopenMs),
    missingAfterReopen,
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    diskMiB: round(sizes.total / 2 ** 20, 2),
    stateFileMiB: round(sizes.stateFile / 2 ** 20, 2),
  };
  await rm(dir, { recursive: true, force: true });
  return result;
}

async function diskUsage(dir: string): Promise<{ total: number; stateFile: number }> {
  let total = 0;
  let stateFile = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    const { size } = await stat(path);
    total += size;
    if (entry.name === 'state.json') stateFile = size;
  }
  return { total, stateFile };
}
