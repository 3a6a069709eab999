import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendOnce } from '../../../lib/webhooks';

let server: Server;
let base = '';
const seen: { url: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.push({ url: req.url!, headers: req.headers, body });
      if (req.url === '/slow') return; // never answers
      if (req.url === '/redirect') return void res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/busy') return void res.writeHead(429, { 'retry-after': '120' }).end();
      if (req.url === '/huge') {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => { while (res.write(chunk)) { /* until the socket pushes back */ } };
        res.on('drain', pump);
        pump();
        return;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const o = { allowLoopback: true, timeoutMs: 1500 };

describe('one delivery attempt', () => {
  it('POSTs the body as JSON with the signed headers to a name that resolves to loopback (allowed in tests)', async () => {
    const r = await sendOnce(`${base}/ok`, { 'webhook-id': 'msg_1' }, '{"a":1}', o);
    expect(r).toMatchObject({ statusCode: 204 });
    expect(seen.at(-1)).toMatchObject({ url: '/ok', body: '{"a":1}', headers: { 'webhook-id': 'msg_1', 'content-type': 'application/json' } });
  });

  it('gives up after the timeout', async () => {
    const r = await sendOnce(`${base}/slow`, {}, '{}', o);
    expect(r.error).toBe('timed out after 1500 ms');
    expect(r.durationMs).toBeGreaterThanOrEqual(1400);
  });

  it('does not follow redirects', async () => {
    const before = seen.length;
    const r = await sendOnce(`${base}/redirect`, {}, '{}', o);
    expect(r).toMatchObject({ statusCode: 302, error: 'redirects are not followed' });
    expect(seen.length).toBe(before + 1);
  });

  it('reads Retry-After', async () => {
    expect(await sendOnce(`${base}/busy`, {}, '{}', o)).toMatchObject({ statusCode: 429, retryAfterSeconds: 120 });
  });

  it('stops reading an endless answer after a few KB', async () => {
    const r = await sendOnce(`${base}/huge`, {}, '{}', o);
    expect(r.statusCode).toBe(200);
    expect(r.durationMs).toBeLessThan(1500);
  });

  it('refuses the same loopback receiver without the test setting, before connecting', async () => {
    const before = seen.length;
    const r = await sendOnce(`${base}/ok`, {}, '{}', { allowLoopback: false, timeoutMs: 1500 });
    expect(r.error).toMatch(/refused/);
    expect(seen.length).toBe(before);
  });
});
