import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { pollUntil } from '../support/wait';

const IMAGE = 'workbay-test/busybox:local';
const NO_ENGINE = 'unix:///tmp/workbay-no-such-engine.sock';
const docker = testDocker();
let cp: TestControlPlane;
let token: string;

const as = (method: string, path: string, json?: unknown) => cp.call(method, path, { token, json });
const switchable = (name: string) => `name: ${name}\noptions:\n  HOST:\n    default: ${inject('dockerHost')}\nagent:\n  docker:\n    env:\n      DOCKER_HOST: \${HOST}\n`;

beforeAll(async () => {
  cp = await startControlPlane();
  await cp.call('POST', '/v1/providers', { yaml: `name: nowhere\nagent:\n  docker:\n    env:\n      DOCKER_HOST: ${NO_ENGINE}\n` });
  await cp.call('POST', '/v1/providers', { yaml: 'name: local\n' });
  await cp.call('POST', '/v1/providers', { yaml: switchable('vanishing') });
  token = await cp.tokenFor('dev');
}, 120_000);

afterAll(async () => {
  await cp?.dispose();
});

describe('a delete always ends, and what it leaves behind is collected', () => {
  it('a never-provisioned workspace on an unreachable engine is gone within seconds, and its provider can be deleted', async () => {
    const made = await as('POST', '/v1/workspaces', { provider: 'nowhere', name: 'never', source: { image: IMAGE } });
    expect(made.status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const del = await as('DELETE', `/v1/workspaces/${made.body.id}?wait=10`);
    expect([202, 204]).toContain(del.status);
    expect((await pollUntil(() => as('GET', `/v1/workspaces/${made.body.id}`), (r) => r.status === 404, 10_000, 100)).status).toBe(404);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await cp.call('DELETE', '/v1/providers/nowhere')).status).toBe(204);
  }, 30_000);

  it('DELETE right after POST never answers store.conflict', async () => {
    for (let i = 0; i < 8; i++) {
      const made = await as('POST', '/v1/workspaces', { provider: 'local', name: `quick-${i}`, source: { image: IMAGE } });
      const del = await as('DELETE', `/v1/workspaces/${made.body.id}`);
      expect({ i, status: del.status, code: del.body?.code }).toMatchObject({ i, status: expect.any(Number) });
      expect(del.body?.code).not.toBe('store.conflict');
      expect([202, 204]).toContain(del.status);
    }
    for (let i = 0; i < 8; i++) {
      const page = (await as('GET', '/v1/workspaces?limit=100')).body.items as { name: string }[];
      if (!page.some((w) => w.name.startsWith('quick-'))) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(((await as('GET', '/v1/workspaces?limit=100')).body.items as { name: string }[]).filter((w) => w.name.startsWith('quick-'))).toEqual([]);
  }, 120_000);

  it('a provisioned workspace whose engine went away ends in Error, and an admin force-deletes it', async () => {
    const made = await as('POST', '/v1/workspaces?wait=25', { provider: 'vanishing', name: 'stranded', source: { image: IMAGE } });
    expect(made.body.status).toBe('Running');
    const id = made.body.id as string;
    await cp.call('PUT', '/v1/providers/vanishing/options', { json: { options: { HOST: NO_ENGINE } } });
    await as('DELETE', `/v1/workspaces/${id}`);
    const failed = await pollUntil(() => as('GET', `/v1/workspaces/${id}`), (r) => r.body.status === 'Error', 30_000, 200);
    expect(failed.body).toMatchObject({ status: 'Error', desiredState: 'Deleted' });
    // It stops being re-driven: once the pass that wrote Error has given its lease up (the write after
    // the Error), the record does not keep changing.
    const settled = await pollUntil(() => cp.store.workspaces.get(id), (r) => !r?.leaseOwner, 10_000, 100);
    const version = settled!.version;
    await new Promise((r) => setTimeout(r, 2500));
    expect((await cp.store.workspaces.get(id))!.version).toBe(version);
    const refused = await as('DELETE', `/v1/workspaces/${id}?force=true`);
    expect(refused.status).toBe(403);
    expect((await cp.call('DELETE', `/v1/workspaces/${id}?force=true`)).status).toBe(204);
    expect((await as('GET', `/v1/workspaces/${id}`)).status).toBe(404);
    expect((await cp.call('DELETE', '/v1/providers/vanishing')).status).toBe(204);
    // What it left behind is still on the engine, labelled: the orphan collector removes it, and
    // nothing that lacks this control plane's labels.
    expect((await objectsOf(docker, id)).containers).toHaveLength(1);
    expect((await objectsOf(docker, id)).volumes).toHaveLength(1);
    const bystanders = await Promise.all(([
      {},
      { 'workbay.dev/managed-by': 'workbay', 'workbay.dev/workspace-id': '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
      { 'workbay.dev/managed-by': 'workbay', 'workbay.dev/workspace-id': '01ARZ3NDEKTSV4RRFFQ69G5FAW', 'workbay.dev/instance': 'another-control-plane' },
    ] as Record<string, string>[]).map((Labels) => docker.createContainer({ Image: IMAGE, Cmd: ['sleep', '60'], Labels, HostConfig: { NetworkMode: 'none' } })));
    const collected = await cp.services.collectOrphans({ graceMs: 0 });
    expect(collected).toMatchObject({ removed: 1, failed: 0 });
    expect(await objectsOf(docker, id)).toEqual({ containers: [], volumes: [] });
    for (const b of bystanders) expect((await b.inspect()).Id).toBe(b.id);
    await Promise.all(bystanders.map((b) => b.remove({ force: true })));
    // A live workspace is never an orphan, however old.
    const live = await as('POST', '/v1/workspaces?wait=25', { provider: 'local', name: 'live', source: { image: IMAGE } });
    expect((await cp.services.collectOrphans({ graceMs: 0 })).removed).toBe(0);
    expect((await objectsOf(docker, live.body.id)).containers).toHaveLength(1);
  }, 90_000);
});
