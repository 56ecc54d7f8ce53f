import { describe, expect, it } from 'vitest';
import { createAccounts, createSessions } from '../../src/admin/auth.ts';
import { BusyError } from '../../src/admin/errors.ts';

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

describe('password checks under load', () => {
  it('refuses password checks beyond the two running and sixteen waiting, so a burst cannot take the thread pool', async () => {
    const { accounts } = createAccounts({ ADMIN_USER: 'boss', ADMIN_PASSWORD: 'river-lamp-orchid-1' });
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => accounts.verify('boss', 'wrong-guess-000')));
    const refused = results.filter((result) => result.status === 'rejected');
    expect(results.length - refused.length).toBe(2 + 16);
    expect(refused.every((result) => (result as PromiseRejectedResult).reason instanceof BusyError)).toBe(true);
    expect(await accounts.verify('boss', 'river-lamp-orchid-1')).toBe('admin'); // free again afterwards
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
    sessions.revoke(session, 10);
    expect(sessions.read(token, 10)).toBeUndefined();
  });

  it('forgets a revoked session once it would have expired anyway, and not before', () => {
    const sessions = createSessions('s3cret', 1000);
    const tokens = [0, 100, 200].map((at) => sessions.issue('boss', 'admin', at));
    for (const { session } of tokens) sessions.revoke(session, 300);
    expect(sessions.revokedCount).toBe(3);
    expect(sessions.read(tokens[2]!.token, 1150)).toBeUndefined(); // still revoked, not revived
    sessions.revoke(sessions.issue('boss', 'admin', 1150).session, 1150); // the first two are past expiry
    expect(sessions.revokedCount).toBe(2);
    expect(sessions.read(tokens[2]!.token, 1150)).toBeUndefined();
  });

  it('recognises a trusted browser only for the account it logged in to, and only until it expires', () => {
    const sessions = createSessions('s3cret');
    const token = sessions.deviceToken('boss', 0);
    expect(sessions.readDevice(token, 'boss', 10)).toMatch(/^[\w-]{16}$/);
    expect(sessions.readDevice(token, 'desk', 10)).toBeUndefined();
    expect(sessions.readDevice(token, 'boss', 200 * 24 * 3600 * 1000)).toBeUndefined();
    expect(sessions.read(token, 10)).toBeUndefined(); // a device token is not a session
    const { token: sessionToken } = sessions.issue('boss', 'admin', 0);
    expect(sessions.readDevice(sessionToken, 'boss', 10)).toBeUndefined();
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
