import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { dumpTable } from '../support/table-dump';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { pollUntil } from '../support/wait';
import { createApp } from '../../lib/api';

/**
 * POST /v1/uploads over real HTTP: what a bad archive gets (a clear 4xx, nothing kept on disk or in
 * the table), owner scoping, and an upload's life: unused it can be deleted, used it goes with its
 * workspace.
 */
const CAP = 64 * 1024;
const IMAGE = 'workbay-test/busybox:local';
let cp: TestControlPlane;
let alice = '';
let bob = '';
const docker = testDocker();

/** A tar of the given entries (name -> content), as a Buffer. */
async function tarOf(files: Record<string, string>, raw?: (p: tar.Pack) => void): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, content);
  raw?.(pack);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const upload = (body: Buffer | string, token: string, type = 'application/x-tar') =>
  cp.call('POST', '/v1/uploads', { token, body: body as unknown as string, headers: { 'content-type': type } });
const stored = () => readdirSync(join(cp.dataDir, 'uploads'));

beforeAll(async () => {
  cp = await startControlPlane({ env: { WORKBAY_UPLOAD_MAX: `${CAP}` } });
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\n' })).status).toBe(201);
  alice = await cp.tokenFor('alice');
  bob = await cp.tokenFor('bob');
});
afterAll(async () => {
  await cp?.dispose();
});

describe('bad uploads are refused and leave nothing behind', () => {
  it.each([
    ['text that is not a tar', async () => 'hello, this is not an archive'.repeat(40), 400, /not a usable folder archive/],
    ['a truncated tar', async () => (await tarOf({ 'a.txt': 'x'.repeat(4000) })).subarray(0, 1500), 400, /not a usable folder archive/],
    ['a path that climbs out', async () => tarOf({ '../evil.sh': 'rm -rf /' }), 400, /"\.\.\/evil\.sh" has a "\.\." segment/],
    ['an absolute path', async () => tarOf({}, (p) => p.entry({ name: 'x', type: 'symlink', linkname: '/etc' }, () => undefined) && p.entry({ name: '/etc/passwd' }, 'root::0:0')), 400, /is absolute/],
    ['a device node', async () => tarOf({}, (p) => p.entry({ name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 }, () => undefined)), 400, /entry type character-device/],
    ['an archive over the cap', async () => tarOf({ 'big.bin': 'x'.repeat(CAP + 1) }), 413, new RegExp(`larger than the cap of 64 KiB \\(${CAP} bytes\\)`)],
  ] as const)('%s', async (_what, make, status, detail) => {
    const before = await dumpTable(cp.store);
    const r = await upload(await make(), alice);
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    expect(r.body.detail).toMatch(detail);
    expect(r.body.errors[0].field).toBe('body');
    expect(stored()).toEqual([]);
    expect((await dumpTable(cp.store)).filter((i) => !String(i.pk).startsWith('TOKEN#'))).toEqual(before.filter((i) => !String(i.pk).startsWith('TOKEN#')));
  });

  it('over the cap while streaming (no content-length): 413, nothing kept', async () => {
    const big = await tarOf({ 'big.bin': 'y'.repeat(CAP * 2) });
    const body = new ReadableStream({ start(c) { for (let i = 0; i < big.length; i += 8192) c.enqueue(big.subarray(i, i + 8192)); c.close(); } });
    const res = await fetch(`${cp.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/x-tar' }, body, duplex: 'half' } as RequestInit)
      .catch((err: Error) => err);
    // The server answers 413 once it passed the cap; the client may already have lost the socket.
    if (!(res instanceof Error)) expect(res.status).toBe(413);
    expect(stored()).toEqual([]);
  });

  it('another content type is 400 naming the header', async () => {
    const r = await upload(await tarOf({ 'a.txt': 'a' }), alice, 'application/json');
    expect(r.status).toBe(400);
    expect(r.body.errors[0].field).toBe('header.content-type');
    expect(stored()).toEqual([]);
  });
});

describe('a good upload', () => {
  let id = '';
  const body = tarOf({ '.devcontainer/devcontainer.json': JSON.stringify({ image: IMAGE }), 'hello.txt': 'hi\n' });

  it('is stored with its sha256 and size, and shown to its owner only', async () => {
    const bytes = await body;
    const r = await upload(bytes, alice);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, entries: 2 });
    expect(r.body.owner).toBeUndefined();
    expect(Date.parse(r.body.expiresAt) - Date.now()).toBeGreaterThan(50 * 60_000);
    id = r.body.id;
    expect((await cp.call('GET', `/v1/uploads/${id}`, { token: alice })).status).toBe(200);
    expect((await cp.call('GET', `/v1/uploads/${id}`, { token: bob })).status).toBe(404);
    expect((await cp.call('GET', '/v1/uploads/limits', { token: bob })).body).toEqual({ maxBytes: CAP, expiresAfterSeconds: 3600, unused: { maxCount: 5, maxBytes: 500 * 1024 * 1024 } });
  });

  it('cannot be used by another owner: 404, no workspace', async () => {
    const r = await cp.call('POST', '/v1/workspaces', { token: bob, json: { provider: 'local-docker', name: 'stolen', source: { upload: { id } } } });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('upload.notFound');
    expect((await cp.call('GET', '/v1/workspaces', { token: bob })).body.items).toEqual([]);
  });

  it('with a wrong sha256 in the request is refused', async () => {
    const r = await cp.call('POST', '/v1/workspaces', { token: alice, json: { provider: 'local-docker', name: 'wrong-hash', source: { upload: { id, sha256: '0'.repeat(64) } } } });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].field).toBe('source.upload.sha256');
  });

  it('is bound to the workspace that uses it and deleted with it', async () => {
    const r = await cp.call('POST', '/v1/workspaces?wait=25', { token: alice, json: { provider: 'local-docker', name: 'from-upload', source: { upload: { id, folder: '/home/alice/proj' } } } });
    expect(r.status).toBe(201);
    expect(r.body.source.upload).toMatchObject({ id, folder: '/home/alice/proj', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const exec = await cp.call('POST', `/v1/workspaces/${r.body.id}/exec`, { token: alice, json: { command: 'cat hello.txt; pwd' } });
    expect(exec.body).toMatchObject({ exitCode: 0, stdout: 'hi\n/workspaces/from-upload\n' });
    const info = await cp.call('GET', `/v1/uploads/${id}`, { token: alice });
    expect(info.body).toMatchObject({ workspaceId: r.body.id });
    expect(info.body.expiresAt).toBeUndefined();
    expect((await cp.call('DELETE', `/v1/uploads/${id}`, { token: alice })).status).toBe(409);
    const again = await cp.call('POST', '/v1/workspaces', { token: alice, json: { provider: 'local-docker', name: 'second', source: { upload: { id } } } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('upload.inUse');
    // A container removed outside workbay is recreated over its volume: the folder is not unpacked again over the edits.
    expect((await cp.call('POST', `/v1/workspaces/${r.body.id}/exec`, { token: alice, json: { command: 'echo edited > hello.txt' } })).body.exitCode).toBe(0);
    const [before] = (await objectsOf(docker, r.body.id)).containers;
    await docker.getContainer(before!.Id).remove({ force: true });
    await cp.services.resync();
    await pollUntil(async () => (await objectsOf(docker, r.body.id)).containers[0]?.State, (st) => st === 'running', 60_000, 200);
    await pollUntil(async () => (await cp.call('GET', `/v1/workspaces/${r.body.id}`, { token: alice })).body.status, (st) => st === 'Running', 30_000, 200);
    expect((await cp.call('POST', `/v1/workspaces/${r.body.id}/exec`, { token: alice, json: { command: 'cat hello.txt' } })).body.stdout).toBe('edited\n');
    expect((await cp.call('DELETE', `/v1/workspaces/${r.body.id}?wait=25`, { token: alice })).status).toBeLessThan(300);
    // The record goes first, the upload right after it (the wait may answer in between).
    expect(await pollUntil(async () => stored(), (files) => files.length === 0, 10_000, 100)).toEqual([]);
    expect((await cp.call('GET', `/v1/uploads/${id}`, { token: alice })).status).toBe(404);
  }, 120_000);

  it('an unused one can be deleted by its owner', async () => {
    const r = await upload(await body, alice);
    expect((await cp.call('DELETE', `/v1/uploads/${r.body.id}`, { token: bob })).status).toBe(204);
    expect((await cp.call('GET', `/v1/uploads/${r.body.id}`, { token: alice })).status).toBe(200);
    expect((await cp.call('DELETE', `/v1/uploads/${r.body.id}`, { token: alice })).status).toBe(204);
    expect((await cp.call('GET', `/v1/uploads/${r.body.id}`, { token: alice })).status).toBe(404);
    expect(stored()).toEqual([]);
  });
});

describe('a deployment that keeps no uploads (the AWS wiring: buildServices without an upload store)', () => {
  it('answers uploads and upload sources with 400 and the reason, and creates nothing', async () => {
    const { uploads: store, ...services } = cp.services;
    const app = createApp(services);
    services.workspaces.uploads = undefined;
    onTestFinished(() => { services.workspaces.uploads = store; });
    const headers = { authorization: `Bearer ${alice}` };
    const post = await app.request('/v1/uploads', { method: 'POST', headers: { ...headers, 'content-type': 'application/x-tar' }, body: await tarOf({ 'a.txt': 'a' }) });
    expect(post.status).toBe(400);
    expect(((await post.json()) as { detail: string }).detail).toMatch(/keeps no uploads: the AWS deployment \(Lambda, 6 MB payloads, no object store\)/);
    expect((await app.request('/v1/uploads/limits', { headers })).status).toBe(400);
    const create = await app.request('/v1/workspaces', {
      method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'local-docker', name: 'no-store', source: { upload: { id: '01JD0000000000000000000000' } } }),
    });
    expect(create.status).toBe(400);
    expect(((await create.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('source.upload');
    expect((await cp.call('GET', '/v1/workspaces', { token: alice })).body.items).toEqual([]);
  });
});
