import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { addressKey, clientKey, FailedAuthLimiter } from '../../../lib/api/auth-limiter';

describe('failed-authentication limiter', () => {
  it('blocks the 21st attempt within a minute and lets the client in again once the oldest failure ages out', () => {
    const l = new FailedAuthLimiter();
    const t0 = 1_000_000;
    for (let i = 0; i < 20; i++) {
      expect(l.retryAfter('a', t0 + i * 1000)).toBe(0);
      l.recordFailure('a', t0 + i * 1000);
    }
    expect(l.retryAfter('a', t0 + 20_000)).toBe(40);
    expect(l.retryAfter('b', t0 + 20_000)).toBe(0);
    expect(l.retryAfter('a', t0 + 59_999)).toBe(1);
    // The first failure is a minute old: one more try is allowed, so at most 20 guesses a minute.
    expect(l.retryAfter('a', t0 + 60_000)).toBe(0);
    l.recordFailure('a', t0 + 60_000);
    expect(l.retryAfter('a', t0 + 60_001)).toBe(1);
    expect(l.retryAfter('a', t0 + 200_000)).toBe(0);
  });

  it('stays bounded in memory under a flood of addresses, forgetting the stalest first', () => {
    const l = new FailedAuthLimiter({ failures: 3, windowMs: 60_000, maxClients: 100 });
    for (let i = 0; i < 3; i++) l.recordFailure('attacker', i);
    for (let i = 0; i < 10_000; i++) l.recordFailure(`10.0.${i >> 8}.${i & 255}`, 10 + i);
    expect(l.size).toBe(100);
    expect(l.retryAfter('attacker', 20_000)).toBe(0);
    for (let i = 0; i < 3; i++) l.recordFailure('attacker', 20_000 + i);
    for (let i = 0; i < 50; i++) l.recordFailure(`192.0.2.${i}`, 21_000 + i);
    expect(l.retryAfter('attacker', 22_000)).toBeGreaterThan(0);
  });
});

describe('client keys', () => {
  it('buckets IPv6 by /64 and unwraps IPv4-mapped addresses', () => {
    expect(addressKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8:0:1:ffff:1:2:3')).toBe('2001:db8:0:1::/64');
    expect(addressKey('[2001:0db8:0000:0002::1]')).toBe('2001:db8:0:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('takes the API Gateway source IP on Lambda and ignores X-Forwarded-For', async () => {
    const app = new Hono().get('/', (c) => c.text(clientKey(c)));
    const spoof = { 'x-forwarded-for': '198.51.100.1' };
    const http = await app.request('/', { headers: spoof }, { requestContext: { http: { sourceIp: '203.0.113.7' } } });
    expect(await http.text()).toBe('203.0.113.7');
    const rest = await app.request('/', { headers: spoof }, { requestContext: { identity: { sourceIp: '2001:db8::1' } } });
    expect(await rest.text()).toBe('2001:db8:0:0::/64');
    expect(await (await app.request('/', { headers: spoof })).text()).toBe('unknown');
  });
});
