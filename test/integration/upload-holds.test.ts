import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskUploadStore, ownerKey, type UploadQuota } from '../../lib/uploads';

/**
 * The upload quota's bookkeeping on a real disk (the data dir's uploads folder): holds follow an
 * upload from before its first byte until it is used, deleted or expired; expired uploads are
 * collected and stop counting; what a crash leaves does not block the owner; and two stores over
 * one folder (two processes sharing a data dir) never admit more than the cap together.
 */
let dir = '';
let now = Date.parse('2026-03-01T00:00:00Z');
const QUOTA: UploadQuota = { count: 2, bytes: 0, minFreeBytes: 0 };
const store = (quota: Partial<UploadQuota> = {}) => new DiskUploadStore({ dir, ttlSeconds: 600, quota: { ...QUOTA, ...quota }, now: () => now });
const files = () => readdirSync(dir).sort();

async function archive(bytes = 10): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: 'a.txt' }, 'a'.repeat(bytes));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A body that yields nothing until `release` is called: an upload still being sent. */
function slowBody(data: Buffer): { body: AsyncIterable<Uint8Array>; release: () => void } {
  let release = () => undefined as void;
  const gate = new Promise<void>((r) => { release = r; });
  return { body: (async function* () { await gate; yield data; })(), release };
}

beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'workbay-upload-holds-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('holds of unused uploads', () => {
  it('an upload still being sent counts; the refused one leaves no file', async () => {
    const s = store();
    await s.put('alice', [await archive()]);
    const slow = slowBody(await archive());
    const sending = s.put('alice', slow.body);
    await expect.poll(() => files().filter((f) => f.endsWith('.part')).length).toBe(1);
    const before = files();
    await expect(s.put('alice', [await archive()])).rejects.toMatchObject({
      code: 'upload.quotaExceeded', message: expect.stringMatching(/^you have 2 unused uploads \(.*, 1 still being sent\)/),
    });
    expect(files()).toEqual(before);
    slow.release();
    await sending;
    expect((await s.listUnused('alice')).length).toBe(2);
  });

  it('expired uploads are collected on the next upload and stop counting; Retry-After is the oldest\'s expiry', async () => {
    const s = store();
    const first = await s.put('alice', [await archive()]);
    now += 120_000;
    await s.put('alice', [await archive()]);
    const refused = await s.put('alice', [await archive()]).catch((e: Error) => e);
    expect(refused).toMatchObject({ code: 'upload.quotaExceeded', extensions: { retryAfter: '480' } });
    now += 481_000;
    const third = await s.put('bob', [await archive()]);
    expect(files().some((f) => f.startsWith(first.id))).toBe(false);
    expect(await s.put('alice', [await archive()])).toMatchObject({ owner: 'alice' });
    expect((await s.listUnused('bob')).map((u) => u.id)).toEqual([third.id]);
  });

  it('a used upload stops counting and is not collected', async () => {
    const s = store();
    const used = await s.put('alice', [await archive()]);
    await s.bind(used.id, 'WS1');
    await s.put('alice', [await archive()]);
    await s.put('alice', [await archive()]);
    now += 3600_000;
    expect(await s.removeExpired()).toBe(2);
    expect(files()).toEqual([`${used.id}.json`, `${used.id}.tar`]);
  });

  it('what a crash left (a hold without an upload, a stale part) does not block the owner', async () => {
    const s = store();
    for (let i = 0; i < 2; i++) writeFileSync(join(dir, `${ownerKey('alice')}.${ulid()}.hold`), JSON.stringify({ bytes: 10 }));
    expect(await s.put('alice', [await archive()])).toMatchObject({ owner: 'alice' });
    expect(files().filter((f) => f.endsWith('.hold'))).toHaveLength(1);
  });

  it('the bytes cap counts the declared size, and the cap of one upload is never above it', async () => {
    const s = store({ count: 0, bytes: 8192 });
    expect(s.maxBytes).toBe(8192);
    const body = await archive(3000);
    await s.put('alice', [body], { size: body.length });
    await expect(s.put('alice', [body], { size: body.length })).rejects.toMatchObject({ code: 'upload.quotaExceeded' });
    await expect(s.put('alice', [await archive(100)], { size: 100 })).rejects.toMatchObject({ code: 'request.tooLarge' });
  });
});

describe('two stores over one folder (processes sharing a data dir)', () => {
  it('never admit more than the cap together, and refusals leave nothing', async () => {
    const [a, b] = [store({ count: 3 }), store({ count: 3 })];
    const bodies = await Promise.all(Array.from({ length: 10 }, () => archive()));
    const results = await Promise.allSettled(bodies.map((body, i) => (i % 2 ? a : b).put('carol', [body])));
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok.length).toBeLessThanOrEqual(3);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'upload.quotaExceeded' });
    expect(files().filter((f) => f.endsWith('.tar'))).toHaveLength(ok.length);
    expect(files().filter((f) => f.endsWith('.hold'))).toHaveLength(ok.length);
    expect(files().filter((f) => f.endsWith('.part') || f.endsWith('.tmp'))).toEqual([]);
    // The room left is exactly what the cap allows: nothing stale holds it.
    for (let i = ok.length; i < 3; i++) await a.put('carol', [await archive()]);
    await expect(b.put('carol', [await archive()])).rejects.toMatchObject({ code: 'upload.quotaExceeded' });
  });
});
