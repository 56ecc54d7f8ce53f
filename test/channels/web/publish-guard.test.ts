import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppFixture } from '../../e2e/web/app-fixture.ts';

/**
 * The server, not only the page, refuses a publish that teaches the bot a new emergency: an API
 * call without the typed phrase gets 409 and a Chinese message, and nothing is written.
 */

let fixture: Awaited<ReturnType<typeof createAppFixture>>;
let admin: Record<string, string>;

beforeAll(async () => {
  fixture = await createAppFixture();
  admin = await fixture.login('admin', 'admin-Orchid-7421');
});
afterAll(() => fixture?.cleanup());

const call = async (method: string, path: string, body?: unknown) => {
  const response = await fixture.request(path, { method, headers: admin, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

interface Preview {
  revision: string;
  confirmPhrase: string;
  dangers: { kind: string; intent?: string; text: string }[];
  examples: { intent: string; text: string; before: string; after: string }[];
  safetySets: { name: string; total: number }[];
}

describe('publishing an example added to an emergency intent', () => {
  it('is refused without the confirmation phrase and accepted with it', async () => {
    const exchange = await fixture.store.recordExchange({
      at: new Date().toISOString(),
      channel: 'web',
      chatKey: 'web:guard',
      text: '我想买房贷款',
      intent: 'none',
      topic: 'none',
      confidence: 0.1,
      kind: 'clarify',
      decidedBy: 'fallback',
      reply: '您想问的是哪方面？',
    });
    const added = await call('POST', '/api/admin/inbox/add-example', { exchangeIds: [exchange.id], intent: 'emergency.self_harm', text: '我想买房贷款' });
    expect(added.status).toBe(200);

    const preview = (await call('GET', '/api/admin/preview')).body as unknown as Preview;
    expect(preview.dangers).toContainEqual({ kind: 'emergency_edit', intent: 'emergency.self_harm', field: 'examples', change: 'add', text: '我想买房贷款' });
    expect(preview.examples).toContainEqual(expect.objectContaining({ intent: 'emergency.self_harm', text: '我想买房贷款', after: 'emergency.self_harm' }));
    expect(preview.safetySets.map((set) => set.name)).toEqual(['emergency', 'false_alarms']);
    expect(preview.safetySets.every((set) => set.total > 100)).toBe(true);

    const file = join(fixture.intentsDir, 'emergency.yaml');
    for (const body of [{}, { confirm: '确认' }]) {
      const refused = await call('POST', '/api/admin/publish', body);
      expect(refused.status).toBe(409);
      expect(String(refused.body.error)).toContain('确认发布紧急类改动');
      expect(await readFile(file, 'utf8')).not.toContain('我想买房贷款');
    }

    const published = await call('POST', '/api/admin/publish', { confirm: preview.confirmPhrase, revision: preview.revision });
    expect(published.status).toBe(200);
    expect(await readFile(file, 'utf8')).toContain('我想买房贷款');
    const [entry] = (await call('GET', '/api/admin/history')).body.entries as { confirmedDangers?: number }[];
    expect(entry!.confirmedDangers).toBeGreaterThanOrEqual(1);
  }, 240_000);
});
