import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { generateSecret, sign, signedHeaders, SECRET_PREFIX } from '../../../lib/webhooks';

const body = JSON.stringify({ type: 'workspace.running', timestamp: '2026-12-01T17:00:00.000Z', data: { workspace: { id: 'x' } } });

describe('Standard Webhooks signatures', () => {
  it('generates whsec_ secrets of 32 random bytes, different each time', () => {
    const a = generateSecret();
    expect(a.startsWith(SECRET_PREFIX)).toBe(true);
    expect(Buffer.from(a.slice(SECRET_PREFIX.length), 'base64')).toHaveLength(32);
    expect(generateSecret()).not.toBe(a);
  });

  it('signs exactly as the reference library does (same id, timestamp and body)', () => {
    const secret = generateSecret();
    const at = new Date('2026-12-01T17:00:05.000Z');
    expect(sign(secret, 'msg_1', Math.floor(at.getTime() / 1000), body)).toBe(new Webhook(secret).sign('msg_1', at, body));
  });

  it('matches the spec\'s published example', () => {
    // From the Standard Webhooks specification and the reference libraries' tests.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const payload = '{"test": 2432232314}';
    expect(sign(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, payload)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('passes the reference verifier, and fails it when the body changes', () => {
    const secret = generateSecret();
    const headers = signedHeaders([{ value: secret, createdAt: new Date().toISOString() }], 'msg_2', body, new Date());
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: 'workspace.running' });
    expect(() => new Webhook(secret).verify(body.replace('running', 'stopped'), headers)).toThrow();
  });

  it('carries one signature per live secret during a rotation, each verifiable; expired secrets no longer sign', () => {
    const [old, fresh, gone] = [generateSecret(), generateSecret(), generateSecret()];
    const now = new Date();
    const headers = signedHeaders([
      { value: fresh, createdAt: now.toISOString() },
      { value: old, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 3600_000).toISOString() },
      { value: gone, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() - 1).toISOString() },
    ], 'msg_3', body, now);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    expect(() => new Webhook(fresh).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(old).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(gone).verify(body, headers)).toThrow();
  });
});
