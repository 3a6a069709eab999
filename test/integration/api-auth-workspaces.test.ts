import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { providerYaml } from '../support/fixtures';
import { dumpTable } from '../support/table-dump';

let cp: TestControlPlane;
let alice: string;
let bob: string;
beforeAll(async () => {
  cp = await startControlPlane();
  await cp.call('POST', '/v1/providers', { yaml: providerYaml('docker-page') });
  alice = await cp.tokenFor('alice');
  bob = await cp.tokenFor('bob');
});
afterAll(async () => { await cp?.dispose(); });

const image = { provider: 'docker-page', source: { image: 'workbay-test/busybox:local' } };

describe('auth', () => {
  it('401 without a token or with a bad one, with WWW-Authenticate', async () => {
    for (const token of [null, 'wbt_not-a-real-token']) {
      const r = await cp.call('GET', '/v1/providers', { token });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('auth.unauthenticated');
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('a user cannot add, change or delete providers (403) and nothing changes', async () => {
    await cp.settle();
    const before = await dumpTable(cp.store);
    expect((await cp.call('POST', '/v1/providers', { token: alice, yaml: 'name: mine\n' })).status).toBe(403);
    expect((await cp.call('PUT', '/v1/providers/docker-page/options', { token: alice, json: { options: {} } })).status).toBe(403);
    expect((await cp.call('DELETE', '/v1/providers/docker-page', { token: alice })).status).toBe(403);
    expect((await cp.call('POST', '/v1/tokens', { token: alice, json: { owner: 'alice', role: 'admin' } })).status).toBe(403);
    expect(await dumpTable(cp.store)).toEqual(before);
  });

  it('a user can read providers', async () => {
    expect((await cp.call('GET', '/v1/providers', { token: alice })).status).toBe(200);
  });

  it('healthz needs no token', async () => {
    const r = await cp.call('GET', '/healthz', { token: null });
    expect(r).toMatchObject({ status: 200, body: { status: 'ok' } });
  });
});

describe('workspace records', () => {
  let id: string;

  it('creates a workspace record as Pending with the provider timeout', async () => {
    const r = await cp.call('POST', '/v1/workspaces', { token: alice, json: { ...image, name: 'alpha' } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ name: 'alpha', owner: 'alice', desiredState: 'Running', driver: 'docker', inactivityTimeoutSeconds: 300, inactivityTimeoutSource: 'provider', devpodStatus: 'Busy' });
    expect(['Pending', 'Creating']).toContain(r.body.status);
    id = r.body.id;
  });

  it('user B reading, stopping or deleting user A\'s workspace gets 404', async () => {
    for (const [m, p] of [['GET', `/v1/workspaces/${id}`], ['POST', `/v1/workspaces/${id}/stop`], ['DELETE', `/v1/workspaces/${id}`], ['GET', `/v1/workspaces/${id}/events`]] as const) {
      const r = await cp.call(m, p, { token: bob });
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('workspace.notFound');
    }
    expect((await cp.call('GET', '/v1/workspaces', { token: bob })).body.items).toEqual([]);
    expect((await cp.call('GET', `/v1/workspaces/${id}`, { token: alice })).status).toBe(200);
  });

  it('same name twice is 409; the same Idempotency-Key twice yields one workspace', async () => {
    expect((await cp.call('POST', '/v1/workspaces', { token: alice, json: { ...image, name: 'alpha' } })).status).toBe(409);
    const first = await cp.call('POST', '/v1/workspaces', { token: alice, json: { ...image, name: 'beta' }, headers: { 'idempotency-key': 'k-1' } });
    const again = await cp.call('POST', '/v1/workspaces', { token: alice, json: { ...image, name: 'beta' }, headers: { 'idempotency-key': 'k-1' } });
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const other = await cp.call('POST', '/v1/workspaces', { token: alice, json: { ...image, name: 'gamma' }, headers: { 'idempotency-key': 'k-1' } });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency.conflict');
    const list = await cp.call('GET', '/v1/workspaces', { token: alice });
    expect(list.body.items.map((w: { name: string }) => w.name).sort()).toEqual(['alpha', 'beta']);
  });

  it('lists with cursor pagination and a status filter', async () => {
    const p1 = await cp.call('GET', '/v1/workspaces?limit=1', { token: alice });
    expect(p1.body.items).toHaveLength(1);
    expect(p1.body.cursor).toBeTruthy();
    const p2 = await cp.call('GET', `/v1/workspaces?limit=1&cursor=${p1.body.cursor}`, { token: alice });
    expect(p2.body.items[0].id).not.toBe(p1.body.items[0].id);
    // No workspace of alice's is stopped yet (they are being created or run): the filter must find none,
    // and a filter on what they are finds only those.
    expect((await cp.call('GET', '/v1/workspaces?status=Stopped', { token: alice })).body.items).toEqual([]);
    // Statuses move on while we look (Creating -> Running): retry until one reading is consistent.
    let found = false;
    for (let i = 0; i < 10 && !found; i++) {
      const first = ((await cp.call('GET', '/v1/workspaces?limit=1', { token: alice })).body.items as { id: string; status: string }[])[0]!;
      const filtered = (await cp.call('GET', `/v1/workspaces?status=${first.status}`, { token: alice })).body.items as { id: string; status: string }[];
      expect(filtered.every((w) => w.status === first.status)).toBe(true);
      found = filtered.some((w) => w.id === first.id);
    }
    expect(found).toBe(true);
    expect((await cp.call('GET', '/v1/workspaces?cursor=garbage', { token: alice })).status).toBe(400);
  });

  it('refuses bad workspace input and changes nothing', async () => {
    await cp.settle();
    const before = await dumpTable(cp.store);
    const bad = [
      { ...image, name: 'Bad_Name' },
      { ...image, provider: 'nope' },
      { provider: 'docker-page', source: { image: '' } },
      { ...image, devcontainer: '{ "image": "x", "dockerComposeFile": "a.yml" }' },
      { ...image, devcontainer: '{ "image": ' },
      { ...image, inactivityTimeout: '2h' },
      { ...image, extra: true },
    ];
    for (const json of bad) {
      const r = await cp.call('POST', '/v1/workspaces', { token: alice, json });
      expect([400, 404]).toContain(r.status);
      expect(r.body.errors?.length ?? r.body.code).toBeTruthy();
    }
    expect(await dumpTable(cp.store)).toEqual(before);
  });

  it('records desired state and events; a deleted workspace is gone and its name free again', async () => {
    const stop = await cp.call('POST', `/v1/workspaces/${id}/stop?wait=25`, { token: alice });
    expect([200, 202]).toContain(stop.status);
    expect(stop.body.desiredState).toBe('Stopped');
    const ev = await cp.call('GET', `/v1/workspaces/${id}/events`, { token: alice });
    const types = ev.body.items.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('workspace.created');
    expect(types).toContain('workspace.stopRequested');
    const del = await cp.call('DELETE', `/v1/workspaces/${id}?wait=25`, { token: alice });
    expect(del.status).toBe(204);
    expect((await cp.call('GET', `/v1/workspaces/${id}`, { token: alice })).status).toBe(404);
    const again = await cp.call('POST', '/v1/workspaces', { token: alice, json: { ...image, name: 'alpha' } });
    expect(again.status).toBe(202);
  });

  it('a provider in use cannot be deleted (409)', async () => {
    const r = await cp.call('DELETE', '/v1/providers/docker-page');
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('provider.inUse');
    expect((await cp.call('GET', '/v1/providers/docker-page')).status).toBe(200);
  });
});
