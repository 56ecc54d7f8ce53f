import { describe, expect, it } from 'vitest';
import { announcementOf, followPublishes, type KnowledgePublished } from '../../src/admin/follow-publishes.ts';
import { knowledgeHash } from '../../src/admin/drafts.ts';
import type { LiveCore } from '../../src/admin/publish.ts';
import type { SwapResult } from '../../src/engine-types.ts';
import type { KnowledgeBase } from '../../src/knowledge/schema.ts';
import type { Logger } from '../../src/lib/logger.ts';

/** A core whose files on disk are `onDisk`; reload swaps them in (or refuses, like invalid data). */
function fakeCore(onDisk: { kb: Pick<KnowledgeBase, 'intents' | 'facts'>; valid: boolean }) {
  let live = onDisk.kb;
  let version = 1;
  const reloads: number[] = [];
  let running = 0;
  let overlapped = false;
  const core = {
    engine: { version: () => version, knowledge: () => live as KnowledgeBase },
    async reload(): Promise<SwapResult> {
      running += 1;
      if (running > 1) overlapped = true;
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      reloads.push(version);
      if (!onDisk.valid) return { ok: false, issues: [{ file: 'intents/x.yaml', path: '', code: 'E', severity: 'error', message: '坏了' }] } as SwapResult;
      live = onDisk.kb;
      version += 1;
      return { ok: true, version, warnings: [] };
    },
  };
  return { core: core as unknown as LiveCore, reloads, overlapped: () => overlapped };
}

function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push({ level, message, fields });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

const kbA = { intents: [{ name: 'a.one' }], facts: [] } as unknown as KnowledgeBase;
const kbB = { intents: [{ name: 'b.two' }], facts: [] } as unknown as KnowledgeBase;

describe('following publishes made in another process', () => {
  it('reloads and logs the version it now serves when the files match what was published', async () => {
    const disk = { kb: kbA, valid: true };
    const { core, reloads } = fakeCore(disk);
    const { logger, lines } = recordingLogger();
    const published: KnowledgePublished = { origin: 'other', action: 'publish', entry: 'h1', version: 7, hash: knowledgeHash(kbB) };
    disk.kb = kbB; // the publisher wrote the new files
    await followPublishes(core, logger).onPublished(published);
    expect(reloads).toHaveLength(1);
    expect(lines).toContainEqual({
      level: 'info',
      message: 'knowledge reloaded after a publish in another process',
      fields: { action: 'publish', entry: 'h1', publishedVersion: 7, version: 2 },
    });
  });

  it('says the files differ when this machine does not have the published files', async () => {
    const { core } = fakeCore({ kb: kbA, valid: true });
    const { logger, lines } = recordingLogger();
    await followPublishes(core, logger).onPublished({ origin: 'other', action: 'publish', version: 3, hash: knowledgeHash(kbB) });
    expect(lines.find((line) => line.level === 'error')?.message).toMatch(/differ from the published ones.*scale-out/);
  });

  it('keeps serving when the files do not load, and says so', async () => {
    const { core } = fakeCore({ kb: kbA, valid: false });
    const { logger, lines } = recordingLogger();
    await followPublishes(core, logger).onPublished({ origin: 'other', action: 'rollback', version: 3, hash: knowledgeHash(kbA) });
    expect(lines.find((line) => line.level === 'error')?.message).toContain('does not load here');
    expect(core.engine.knowledge()).toBe(kbA);
  });

  it('reloads one at a time when publishes come quickly', async () => {
    const disk = { kb: kbB, valid: true };
    const { core, reloads, overlapped } = fakeCore(disk);
    const follow = followPublishes(core, recordingLogger().logger);
    const hash = knowledgeHash(kbB);
    await Promise.all([1, 2, 3].map((version) => follow.onPublished({ origin: 'x', action: 'publish', version, hash })));
    expect(reloads).toEqual([1, 2, 3]);
    expect(overlapped()).toBe(false);
  });

  it('the announcing side sends what it serves now', () => {
    const { core } = fakeCore({ kb: kbA, valid: true });
    expect(announcementOf(core, 'publish', 'h9')).toEqual({ action: 'publish', entry: 'h9', version: 1, hash: knowledgeHash(kbA) });
  });
});
