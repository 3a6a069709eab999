import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { dumpTable } from '../support/table-dump';

/**
 * policy.images through the API and a real engine: entries match references on whole components,
 * with Docker Hub's defaults, so a look-alike registry is refused and another spelling of an allowed
 * image runs.
 */
const IMAGE = 'workbay-test/busybox:local';
let cp: TestControlPlane;
let token: string;

beforeAll(async () => {
  cp = await startControlPlane();
  token = await cp.tokenFor('ivy');
  // `docker.io/workbay-test/` is the namespace the test image lives in, written the long way.
  const yaml = 'name: images-only\nworkbay:\n  policy:\n    images: [registry.example.com, "docker.io/workbay-test/"]\n';
  const r = await cp.call('POST', '/v1/providers', { yaml });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}, 120_000);
afterAll(async () => {
  await cp?.dispose();
});

const tableState = async () => (await dumpTable(cp.store)).filter((i) => i.kind !== 'token');
const create = (name: string, image: string, wait = 0) => cp.call('POST', `/v1/workspaces${wait ? `?wait=${wait}` : ''}`, {
  token, json: { provider: 'images-only', name, source: { image }, devcontainer: JSON.stringify({ image }) },
});

describe('a provider with images', () => {
  it.each([
    ['a look-alike registry host', 'registry.example.com.evil.example/x:1'],
    ['a look-alike namespace', 'workbay-test-evil/busybox:local'],
    ['another registry with the allowed path', 'ghcr.io/workbay-test/busybox:local'],
  ])('refuses %s with 403 naming image and policy.images, and writes nothing', async (_what, image) => {
    await cp.settle();
    const before = await tableState();
    const r = await create('refused', image);
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.body.code).toBe('policy.denied');
    expect(r.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'image', rule: 'policy.images' })]));
    expect(await tableState()).toEqual(before);
  });

  it('runs the allowed image written as the engine would read it', async () => {
    const ws = await create('allowed', IMAGE, 25);
    expect(ws.status, JSON.stringify(ws.body)).toBe(201);
    expect(ws.body.status).toBe('Running');
    expect((await cp.call('DELETE', `/v1/workspaces/${ws.body.id}?wait=25`, { token })).status).toBeLessThan(300);
  }, 120_000);

  it('refuses an entry that can never match when the provider is added, naming its line', async () => {
    const r = await cp.call('POST', '/v1/providers', { yaml: 'name: bad-images\nworkbay:\n  policy:\n    images:\n      - ubuntu\n      - "Registry.example.com/Team/"\n' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'workbay.policy.images[1]', line: 6, message: expect.stringMatching(/"Team" as a path segment/) })]);
  });

  it('a provider stored before entries were read strictly still loads: the entry it cannot read covers nothing', async () => {
    // Written the way an earlier release stored it (it took any string); re-adding it would be refused.
    const now = new Date().toISOString();
    const yaml = 'name: old-images\nworkbay:\n  policy:\n    images: ["Registry.example.com/Team/", "docker.io/workbay-test/"]\n';
    await cp.store.providers.create({ name: 'old-images', yaml, optionValues: {}, version: 1, createdAt: now, updatedAt: now });
    expect((await cp.call('GET', '/v1/providers/old-images', { token: cp.adminToken })).status).toBe(200);
    const make = (name: string, image: string, wait = 0) => cp.call('POST', `/v1/workspaces${wait ? `?wait=${wait}` : ''}`, {
      token, json: { provider: 'old-images', name, source: { image }, devcontainer: JSON.stringify({ image }) },
    });
    const refused = await make('old-refused', 'registry.example.com/team/x:1');
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect(refused.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'image', rule: 'policy.images' })]));
    const ws = await make('old-allowed', IMAGE, 25);
    expect(ws.status, JSON.stringify(ws.body)).toBe(201);
    expect(ws.body.status).toBe('Running');
    expect((await cp.call('DELETE', `/v1/workspaces/${ws.body.id}?wait=25`, { token })).status).toBeLessThan(300);
  }, 120_000);
});
