import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUploadQuota } from '../../lib/settings';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';

/**
 * The per-owner cap on unused uploads over real HTTP (WORKBAY_UPLOAD_QUOTA_COUNT/_BYTES): the
 * (N+1)th is 429 with what is held, the limit, how to make room and Retry-After, before the body is
 * read and leaving nothing on disk; deleting one or using one in a workspace makes room; concurrent
 * uploads never pass the cap together. And the free-space floor (WORKBAY_UPLOAD_MIN_FREE): 507.
 */
const KiB = 1024;
const IMAGE = 'workbay-test/busybox:local';
let cp: TestControlPlane;
let alice = '';
let bob = '';
let carol = '';
let dave = '';

/** A tar holding one file of `size` bytes (the archive is a little larger). */
async function tarOf(size: number, name = 'data.bin'): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: '.devcontainer/devcontainer.json' }, JSON.stringify({ image: IMAGE }));
  pack.entry({ name }, 'x'.repeat(size));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const upload = (body: Buffer, token: string) =>
  cp.call('POST', '/v1/uploads', { token, body: body as unknown as string, headers: { 'content-type': 'application/x-tar' } });
const files = (dir = cp.dataDir) => readdirSync(join(dir, 'uploads')).sort();
const archives = () => files().filter((f) => f.endsWith('.tar'));

beforeAll(async () => {
  cp = await startControlPlane({ env: { WORKBAY_UPLOAD_MAX: '64KiB', WORKBAY_UPLOAD_QUOTA_COUNT: '3', WORKBAY_UPLOAD_QUOTA_BYTES: '100KiB' } });
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\n' })).status).toBe(201);
  [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((o) => cp.tokenFor(o))) as [string, string, string, string];
});
afterAll(async () => {
  await cp?.dispose();
});

describe('the count cap', () => {
  const ids: string[] = [];

  it('the limits tell it', async () => {
    expect((await cp.call('GET', '/v1/uploads/limits', { token: alice })).body).toEqual({ maxBytes: 64 * KiB, expiresAfterSeconds: 3600, unused: { maxCount: 3, maxBytes: 100 * KiB } });
  });

  it('the 4th unused upload is 429 naming use, limit and the way out, with Retry-After; nothing is kept', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await upload(await tarOf(1000 + i), alice);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      ids.push(r.body.id);
    }
    const before = files();
    const r = await upload(await tarOf(10), alice);
    expect(r.status).toBe(429);
    expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    expect(r.body.code).toBe('upload.quotaExceeded');
    expect(r.body.detail).toMatch(/^you have 3 unused uploads \(\d+(\.\d)? KiB\); at most 3 uploads and 100 KiB may wait for a workspace at once/);
    expect(r.body.detail).toMatch(/DELETE \/v1\/uploads\/\{id\}.* or wait \d+ s for the oldest to expire; an upload a workspace uses does not count/);
    expect(r.body).toMatchObject({ limitCount: '3', limitBytes: String(100 * KiB), usedCount: '3', errors: [{ field: 'body' }] });
    const wait = Number(r.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(3500);
    expect(wait).toBeLessThanOrEqual(3600);
    expect(files()).toEqual(before);
  });

  it('GET /v1/uploads lists them, oldest first; the cap is per owner', async () => {
    expect((await cp.call('GET', '/v1/uploads', { token: alice })).body.items.map((u: { id: string }) => u.id)).toEqual(ids);
    expect((await cp.call('GET', '/v1/uploads', { token: bob })).body.items).toEqual([]);
    expect((await upload(await tarOf(10), bob)).status).toBe(201);
  });

  it('deleting one makes room for exactly one', async () => {
    expect((await cp.call('DELETE', `/v1/uploads/${ids.shift()}`, { token: alice })).status).toBe(204);
    const r = await upload(await tarOf(10), alice);
    expect(r.status).toBe(201);
    ids.push(r.body.id);
    expect((await upload(await tarOf(10), alice)).status).toBe(429);
  });

  it('an upload a workspace uses no longer counts', async () => {
    const used = ids.shift()!;
    const ws = await cp.call('POST', '/v1/workspaces', { token: alice, json: { provider: 'local-docker', name: 'uses-upload', source: { upload: { id: used } } } });
    expect(ws.status, JSON.stringify(ws.body)).toBe(202);
    expect((await cp.call('GET', '/v1/uploads', { token: alice })).body.items.map((u: { id: string }) => u.id)).toEqual(ids);
    expect((await upload(await tarOf(10), alice)).status).toBe(201);
    expect((await upload(await tarOf(10), alice)).status).toBe(429);
    expect((await cp.call('DELETE', `/v1/workspaces/${ws.body.id}?wait=25`, { token: alice })).status).toBeLessThan(300);
  }, 60_000);
});

describe('the bytes cap', () => {
  it('is checked against the declared length before the body is read', async () => {
    expect((await upload(await tarOf(40 * KiB), carol)).status).toBe(201);
    expect((await upload(await tarOf(40 * KiB), carol)).status).toBe(201);
    const before = files();
    // Headers only: a server that read the body first would never answer.
    const res = await new Promise<{ status: number; body: string; retryAfter?: string }>((resolve, reject) => {
      const req = httpRequest(`${cp.url}/v1/uploads`, {
        method: 'POST', headers: { authorization: `Bearer ${carol}`, 'content-type': 'application/x-tar', 'content-length': String(30 * KiB) },
      }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => { body += c; });
        r.on('end', () => resolve({ status: r.statusCode!, body, retryAfter: r.headers['retry-after'] as string | undefined }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(res.status).toBe(429);
    const problem = JSON.parse(res.body) as { detail: string; usedCount: string; usedBytes: string };
    expect(problem.detail).toMatch(/^you have 2 unused uploads \(8\d(\.\d)? KiB\); at most 3 uploads and 100 KiB .* this upload \(30 KiB\) does not fit/);
    expect(problem.usedCount).toBe('2');
    expect(Number(res.retryAfter)).toBeGreaterThan(3500);
    expect(files()).toEqual(before);
    expect((await upload(await tarOf(10 * KiB), carol)).status).toBe(201);
  });
});

describe('concurrent uploads of one owner', () => {
  it('never pass the cap together, and the refused leave nothing behind', async () => {
    const bodies = await Promise.all(Array.from({ length: 7 }, (_, i) => tarOf(100 + i)));
    const results = await Promise.all(bodies.map((b) => upload(b, dave)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 429, 429, 429, 429]);
    const listed = (await cp.call('GET', '/v1/uploads', { token: dave })).body.items.map((u: { id: string }) => u.id).sort();
    expect(listed).toEqual(results.filter((r) => r.status === 201).map((r) => r.body.id).sort());
    for (const id of listed) expect(archives()).toContain(`${id}.tar`);
    expect(files().filter((f) => f.endsWith('.part') || f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('the free-space floor (WORKBAY_UPLOAD_MIN_FREE)', () => {
  let full: TestControlPlane;
  beforeAll(async () => {
    // No real disk has a million GiB free: the floor is passed without filling one.
    full = await startControlPlane({ env: { WORKBAY_UPLOAD_MIN_FREE: '1000000GiB' } });
  });
  afterAll(async () => {
    await full?.dispose();
  });

  it('refuses every upload with 507 and a clear reason, keeping nothing', async () => {
    const token = await full.tokenFor('erin');
    const r = await full.call('POST', '/v1/uploads', { token, body: (await tarOf(10)) as unknown as string, headers: { 'content-type': 'application/x-tar' } });
    expect(r.status).toBe(507);
    expect(r.body.code).toBe('upload.noSpace');
    expect(r.body.detail).toMatch(/^the control plane is short of disk space: [\d.]+ [KMG]iB free, and uploads stop while less than 1000000 GiB would remain .*nothing was stored/);
    expect(r.body.detail).not.toContain(full.dataDir);
    expect(files(full.dataDir)).toEqual([]);
  });

  it('settings: defaults, 0 for no limit, and a bad value named', () => {
    expect(readUploadQuota({})).toEqual({ count: 5, bytes: 500 * 1024 * KiB, minFreeBytes: 1024 * 1024 * KiB });
    expect(readUploadQuota({ WORKBAY_UPLOAD_QUOTA_COUNT: '0', WORKBAY_UPLOAD_QUOTA_BYTES: '0', WORKBAY_UPLOAD_MIN_FREE: '2GiB' })).toEqual({ count: 0, bytes: 0, minFreeBytes: 2 * 1024 * 1024 * KiB });
    expect(() => readUploadQuota({ WORKBAY_UPLOAD_QUOTA_BYTES: 'lots' })).toThrow(/WORKBAY_UPLOAD_QUOTA_BYTES: must be a size such as 500MiB/);
    expect(() => readUploadQuota({ WORKBAY_UPLOAD_QUOTA_COUNT: '-1' })).toThrow(/WORKBAY_UPLOAD_QUOTA_COUNT: must be a whole number/);
  });
});
