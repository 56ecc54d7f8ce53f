import { describe, expect, it } from 'vitest';
import { resolveClientAddress, trustedProxies } from '../../../src/channels/web/security.ts';
import { ConfigError, loadConfig } from '../../../src/config.ts';

const proxies = trustedProxies(['127.0.0.1', '::1', '10.0.0.0/8']);

describe('client address behind proxies', () => {
  it.each([
    // peer, X-Forwarded-For, expected client
    ['203.0.113.7', undefined, '203.0.113.7'],
    ['203.0.113.7', '1.2.3.4', '203.0.113.7'], // untrusted peer: its header is a claim, not a fact
    ['::ffff:203.0.113.7', '1.2.3.4', '203.0.113.7'],
    ['127.0.0.1', '198.51.100.20', '198.51.100.20'],
    ['::ffff:127.0.0.1', '198.51.100.20', '198.51.100.20'], // IPv4-mapped peer on a dual-stack socket
    ['127.0.0.1', '6.6.6.6, 198.51.100.20', '198.51.100.20'], // the client's own claim on the left is ignored
    ['127.0.0.1', '198.51.100.20, 10.3.2.1', '198.51.100.20'], // a second proxy of ours is skipped
    ['127.0.0.1', '6.6.6.6, 198.51.100.20, 10.3.2.1', '198.51.100.20'],
    ['127.0.0.1', '10.0.0.0, 10.9.9.9', '10.0.0.0'], // every hop ours: the request started there
    ['127.0.0.1', '', '127.0.0.1'],
    ['127.0.0.1', '[2001:db8::1]:4711', '2001:db8::1'],
    ['127.0.0.1', '198.51.100.20:5123', '198.51.100.20'],
    ['::1', '2001:db8::9', '2001:db8::9'],
  ])('peer %s, X-Forwarded-For %j → %s', (peer, forwarded, expected) => {
    expect(resolveClientAddress(peer, forwarded, proxies)).toBe(expected);
  });

  it('believes no one without TRUSTED_PROXIES', () => {
    expect(resolveClientAddress('127.0.0.1', '198.51.100.20', trustedProxies([]))).toBe('127.0.0.1');
  });

  it('refuses a TRUSTED_PROXIES entry that is not an address or range', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8, ::1' }).TRUSTED_PROXIES).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(() => loadConfig({ TRUSTED_PROXIES: 'nginx, 10.0.0.0/33' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUSTED_PROXIES: 'nginx' })).toThrow(/TRUSTED_PROXIES.*nginx/);
  });
});
