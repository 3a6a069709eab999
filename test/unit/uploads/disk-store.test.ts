import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskUploadStore, parseByteSize } from '../../../lib/uploads';

let dir = '';
let now = Date.parse('2026-01-01T00:00:00Z');
const store = () => new DiskUploadStore({ dir, ttlSeconds: 60, now: () => now });

async function archive(): Promise<Buffer[]> {
  const pack = tar.pack();
  pack.entry({ name: 'a.txt' }, 'a');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return chunks;
}

beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'workbay-uploads-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the disk upload store', () => {
  it('an unused upload expires; one bound to a workspace does not', async () => {
    const s = store();
    const unused = await s.put('alice', await archive());
    const used = await s.put('alice', await archive());
    await s.bind(used.id, 'WS1');
    now += 61_000;
    expect(await s.get(unused.id)).toBeUndefined();
    expect(await s.get(used.id)).toMatchObject({ workspaceId: 'WS1' });
    expect(await s.removeExpired()).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([`${used.id}.json`, `${used.id}.tar`]);
    await expect(s.open(unused.id)).rejects.toMatchObject({ code: 'upload.notFound' });
    await expect(s.bind(used.id, 'WS2')).rejects.toMatchObject({ code: 'upload.inUse' });
  });

  it('ids that are not ULIDs never become paths', async () => {
    const s = store();
    expect(await s.get('../../etc/passwd')).toBeUndefined();
    await expect(s.open('../x')).rejects.toMatchObject({ code: 'upload.notFound' });
  });

  it('reads sizes the way WORKBAY_UPLOAD_MAX is written', () => {
    expect([parseByteSize('1048576'), parseByteSize('100MiB'), parseByteSize('512 KiB'), parseByteSize('2g')]).toEqual([1048576, 100 * 1024 ** 2, 512 * 1024, 2 * 1024 ** 3]);
    expect([parseByteSize(''), parseByteSize('ten'), parseByteSize('0'), parseByteSize('5TB')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
