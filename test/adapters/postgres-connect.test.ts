import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkConnection, createPool, DatabaseUnavailableError, redactUrl } from '../../src/adapters/postgres/connect.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/lib/logger.ts';

// These need no PostgreSQL server: they are about what happens when there is none.

describe('DATABASE_URL', () => {
  it.each([
    ['postgres://bot:secret@db:5432/leping', true],
    ['postgresql://127.0.0.1/leping', true],
    ['mysql://db/leping', false],
    ['http://db:5432/leping', false],
    ['db:5432', false],
  ])('%s is accepted: %s', (url, ok) => {
    const load = () => loadConfig({ DATABASE_URL: url });
    if (ok) expect(load().DATABASE_URL).toBe(url);
    else expect(load).toThrow(/DATABASE_URL: 应为 postgres:\/\//);
  });

  it('is optional: unset means the embedded store', () => {
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });
});

describe('a database that cannot be reached', () => {
  it('fails start-up with a Chinese message that names the address but not the password', async () => {
    const url = `postgres://bot:topsecret@127.0.0.1:${await freePort()}/leping`;
    const pool = createPool({ url, logger: createLogger('silent') });
    try {
      const failure = await checkConnection(pool, url).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DatabaseUnavailableError);
      const message = (failure as Error).message;
      expect(message).toContain('无法连接 PostgreSQL');
      expect(message).toContain('127.0.0.1');
      expect(message).toContain('不设置 DATABASE_URL');
      expect(message).not.toContain('topsecret');
    } finally {
      await pool.end();
    }
  });

  it('redacts the password in any URL it prints', () => {
    expect(redactUrl('postgres://bot:p%40ss@db/leping')).toBe('postgres://bot:***@db/leping');
    expect(redactUrl('not a url')).not.toContain('not a url');
  });
});

/** A port nothing listens on (taken and released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
