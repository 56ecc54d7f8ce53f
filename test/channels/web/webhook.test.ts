import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebApp } from '../../../src/channels/web/app.ts';
import { loadConsoleFiles } from '../../../src/channels/web/server.ts';
import { createAppFixture } from '../../e2e/web/app-fixture.ts';

let fixture: Awaited<ReturnType<typeof createAppFixture>>;
beforeAll(async () => {
  fixture = await createAppFixture();
});
afterAll(() => fixture?.cleanup());

describe('Telegram webhook on the web server', () => {
  it('is mounted only when a handler is given, and passes the update and secret through', async () => {
    expect((await fixture.request('/telegram/webhook', { method: 'POST', body: '{}' })).status).toBe(404);
    const seen: unknown[] = [];
    const app = createWebApp(
      {
        ...fixture.services,
        telegramWebhook: async (update, secret) => {
          seen.push([update, secret]);
          return { status: secret === 'ok' ? 200 : 401 };
        },
      },
      await loadConsoleFiles(),
    );
    const post = (secret: string) =>
      app.request('http://localhost/telegram/webhook', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': secret },
        body: JSON.stringify({ update_id: 1 }),
      });
    expect((await post('ok')).status).toBe(200);
    expect((await post('bad')).status).toBe(401);
    expect(seen).toEqual([[{ update_id: 1 }, 'ok'], [{ update_id: 1 }, 'bad']]);
  });
});
