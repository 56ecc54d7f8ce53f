import { describe, expect, it } from 'vitest';
import { createAccounts, createLoginLimiter, createSessions } from '../../src/admin/auth.ts';

describe('console accounts', () => {
  it('accepts the right password for each role and nothing else', async () => {
    const { accounts } = createAccounts({ ADMIN_USER: 'boss', ADMIN_PASSWORD: 'river-lamp-orchid-1', STAFF_USER: 'desk', STAFF_PASSWORD: 'desk-tulip-canyon-2' });
    expect(await accounts.verify('boss', 'river-lamp-orchid-1')).toBe('admin');
    expect(await accounts.verify('desk', 'desk-tulip-canyon-2')).toBe('staff');
    expect(await accounts.verify('desk', 'river-lamp-orchid-1')).toBeUndefined();
    expect(await accounts.verify('nobody', 'river-lamp-orchid-1')).toBeUndefined();
  });

  it('generates a one-time admin password when none is set, and says so', async () => {
    const { accounts, generated, notes } = createAccounts({});
    expect(generated?.user).toBe('admin');
    expect(notes.join('\n')).toContain(generated!.password);
    expect(await accounts.verify('admin', generated!.password)).toBe('admin');
    expect(accounts.roles()).toEqual([{ user: 'admin', role: 'admin' }]);
  });
});

describe('console sessions', () => {
  it('reads back what it issued, and refuses tampered, expired and revoked tokens', () => {
    const sessions = createSessions('s3cret', 1000);
    const { token, session } = sessions.issue('boss', 'admin', 0);
    expect(sessions.read(token, 10)?.role).toBe('admin');
    const [payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...session, role: 'admin', user: 'x' })).toString('base64url');
    expect(sessions.read(`${forged}.${signature}`, 10)).toBeUndefined();
    expect(sessions.read(`${payload}.${signature}`, 2000)).toBeUndefined();
    expect(createSessions('other', 1000).read(token, 10)).toBeUndefined();
    sessions.revoke(session);
    expect(sessions.read(token, 10)).toBeUndefined();
  });

  it('ties the CSRF token to the session', () => {
    const sessions = createSessions('s3cret');
    const a = sessions.issue('boss', 'admin').session;
    const b = sessions.issue('boss', 'admin').session;
    expect(sessions.checkCsrf(a, sessions.csrfToken(a))).toBe(true);
    expect(sessions.checkCsrf(a, sessions.csrfToken(b))).toBe(false);
    expect(sessions.checkCsrf(a, undefined)).toBe(false);
  });
});

describe('login rate limit', () => {
  it('refuses after five failures in the window and forgives after it', () => {
    const limiter = createLoginLimiter({ max: 5, windowMs: 60_000 });
    for (let index = 0; index < 5; index += 1) limiter.fail('1.2.3.4', 1000 + index);
    expect(limiter.retryAfter('1.2.3.4', 2000)).toBeGreaterThan(0);
    expect(limiter.retryAfter('5.6.7.8', 2000)).toBe(0);
    expect(limiter.retryAfter('1.2.3.4', 62_000)).toBe(0);
  });
});
