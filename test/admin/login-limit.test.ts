import { describe, expect, it } from 'vitest';
import { createLoginLimiter, type LoginGate } from '../../src/admin/login-limit.ts';

const MINUTE = 60_000;
const limiter = () => createLoginLimiter({ max: 5, windowMs: 10 * MINUTE });
const admin = (address: string, device?: string) => ({ user: 'admin', address, device });
const fail = (gate: LoginGate, at = 0) => (gate.ok ? gate.finish('failure', at) : undefined);

describe('login limit', () => {
  it('counts attempts in flight: of a burst of 300, five get to check a password', () => {
    const limit = limiter();
    const gates = Array.from({ length: 300 }, () => limit.begin(admin('203.0.113.9'), 0));
    expect(gates.filter((gate) => gate.ok)).toHaveLength(5);
    const refused = gates.find((gate) => !gate.ok);
    expect(refused).toMatchObject({ ok: false, scope: 'address' });
    expect(refused && !refused.ok && refused.retryAfterSeconds).toBe(600);
  });

  it('forgives after the window, counting from each failed attempt', () => {
    const limit = limiter();
    for (let minute = 0; minute < 5; minute += 1) fail(limit.begin(admin('1.2.3.4'), minute * MINUTE), minute * MINUTE);
    const refused = limit.begin(admin('1.2.3.4'), 5 * MINUTE);
    expect(refused).toMatchObject({ ok: false, retryAfterSeconds: 300 });
    expect(limit.begin(admin('5.6.7.8'), 5 * MINUTE).ok).toBe(true);
    expect(limit.begin(admin('1.2.3.4'), 10 * MINUTE).ok).toBe(true);
  });

  it('a success clears the failures, but attempts still in flight keep counting', () => {
    const limit = limiter();
    for (let index = 0; index < 3; index += 1) fail(limit.begin(admin('1.2.3.4'), 0));
    const pending = limit.begin(admin('1.2.3.4'), 0);
    const right = limit.begin(admin('1.2.3.4'), 0);
    if (!right.ok) throw new Error('expected a turn');
    right.finish('success', 0);
    const opened = Array.from({ length: 6 }, () => limit.begin(admin('1.2.3.4'), 0)).filter((gate) => gate.ok);
    expect(opened).toHaveLength(4); // five minus the one still in flight
    fail(pending);
  });

  it("a staff login does not reset the address's guesses at another account", () => {
    const limit = limiter();
    for (let index = 0; index < 4; index += 1) fail(limit.begin(admin('1.2.3.4'), 0));
    const staff = limit.begin({ user: 'staff', address: '1.2.3.4' }, 0);
    if (staff.ok) staff.finish('success', 0);
    fail(limit.begin(admin('1.2.3.4'), 0));
    expect(limit.begin(admin('1.2.3.4'), 0)).toMatchObject({ ok: false, scope: 'address' });
  });

  it('limits a distributed guess at one account, without locking out a browser that logged in before', () => {
    const limit = limiter();
    for (let bot = 0; bot < 20; bot += 1) fail(limit.begin(admin(`198.51.100.${bot}`), 0));
    expect(limit.begin(admin('192.0.2.1'), 0)).toMatchObject({ ok: false, scope: 'account' });
    expect(limit.begin({ user: 'staff', address: '192.0.2.1' }, 0).ok).toBe(true); // other accounts unaffected
    expect(limit.begin(admin('192.0.2.1', 'device-of-the-admin'), 0).ok).toBe(true);
  });

  it('a trusted browser behind a shared address is not locked out by its neighbours', () => {
    const limit = limiter();
    for (let index = 0; index < 5; index += 1) fail(limit.begin({ user: `guess${index}`, address: '10.0.0.1' }, 0));
    expect(limit.begin(admin('10.0.0.1'), 0).ok).toBe(false);
    expect(limit.begin(admin('10.0.0.1', 'device-1'), 0).ok).toBe(true);
  });

  it('a trusted browser still gets only five guesses', () => {
    const limit = limiter();
    for (let index = 0; index < 5; index += 1) fail(limit.begin(admin(`1.1.1.${index}`, 'stolen'), 0));
    expect(limit.begin(admin('1.1.1.9', 'stolen'), 0)).toMatchObject({ ok: false, scope: 'device' });
  });

  it('does not count a check the server never ran', () => {
    const limit = limiter();
    for (let index = 0; index < 10; index += 1) {
      const gate = limit.begin(admin('1.2.3.4'), 0);
      if (gate.ok) gate.finish('unchecked', 0);
    }
    expect(limit.begin(admin('1.2.3.4'), 0).ok).toBe(true);
  });

  it('drops keys whose window has passed and never holds more than its cap', () => {
    const limit = createLoginLimiter({ max: 5, windowMs: 10 * MINUTE, maxKeys: 100 });
    for (let index = 0; index < 40; index += 1) fail(limit.begin({ user: `name${index}`, address: `10.0.0.${index}` }, 0));
    expect(limit.size).toBe(80);
    fail(limit.begin(admin('10.9.9.9', undefined), 11 * MINUTE), 11 * MINUTE);
    expect(limit.size).toBe(2); // the old ones were swept on insert
    for (let index = 0; index < 1000; index += 1) fail(limit.begin({ user: `spray${index}`, address: `172.16.${index >> 8}.${index & 255}` }, 12 * MINUTE), 12 * MINUTE);
    expect(limit.size).toBeLessThanOrEqual(100);
  });
});
