import { describe, expect, it } from 'vitest';
import { addressRefusal, checkWebhookUrl, sendOnce } from '../../../lib/webhooks';

const strict = { allowLoopback: false };
const tests = { allowLoopback: true };

describe('outgoing webhook URLs', () => {
  it('refuses private, loopback, link-local and mapped addresses on AWS', () => {
    for (const ip of ['10.1.2.3', '172.16.0.1', '192.168.1.1', '127.0.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
      '::1', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '::ffff:7f00:1', '224.0.0.1']) {
      expect(addressRefusal(ip, strict), ip).toMatch(/not a public address/);
    }
    for (const ip of ['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111']) expect(addressRefusal(ip, strict), ip).toBeUndefined();
  });

  it('allows loopback only when the embedded setting says so, and nothing else private', () => {
    expect(addressRefusal('127.0.0.1', tests)).toBeUndefined();
    expect(addressRefusal('::1', tests)).toBeUndefined();
    expect(addressRefusal('10.0.0.1', tests)).toMatch(/not a public/);
  });

  it('asks for https (plain http only to loopback in tests), no credentials, no private IP literals', () => {
    expect(() => checkWebhookUrl('http://example.com/hook', strict)).toThrow(/https/);
    expect(() => checkWebhookUrl('http://127.0.0.1:9/hook', strict)).toThrow(/https/);
    expect(() => checkWebhookUrl('https://user:pw@example.com/', strict)).toThrow(/credentials/);
    expect(() => checkWebhookUrl('https://169.254.169.254/latest', strict)).toThrow(/not a public/);
    expect(() => checkWebhookUrl('https://[::1]/', strict)).toThrow(/not a public/);
    expect(() => checkWebhookUrl('https://localhost/', strict)).toThrow(/localhost/);
    expect(checkWebhookUrl('https://hooks.example.com/x', strict).hostname).toBe('hooks.example.com');
    expect(checkWebhookUrl('http://127.0.0.1:9/hook', tests).port).toBe('9');
    expect(() => checkWebhookUrl('http://example.com/hook', tests)).toThrow(/https/);
  });

  it('judges a name after resolving it, at send time: localhost resolves to loopback and is refused', async () => {
    const r = await sendOnce('https://localhost:9/hook', { 'webhook-id': 'msg_x' }, '{}', { ...strict, timeoutMs: 2000 });
    expect(r.statusCode).toBeUndefined();
    expect(r.error).toMatch(/refused/);
  });
});
