import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { pollUntil } from '../support/wait';

const IMAGE = 'workbay-test/busybox:local';
const docker = testDocker();
let cp: TestControlPlane;
let token: string;

const as = (method: string, path: string, json?: unknown) => cp.call(method, path, { token, json });
const events = async (id: string) => (await as('GET', `/v1/workspaces/${id}/events?limit=500`)).body.items as { type: string; message: string; data?: any }[];
const container = async (id: string) => {
  const c = (await objectsOf(docker, id)).containers[0];
  return c ? docker.getContainer(c.Id) : undefined;
};
const runningOnEngine = async (id: string) => !!(await (await container(id))?.inspect())?.State.Running;

async function create(name: string): Promise<string> {
  const devcontainer = JSON.stringify({ image: IMAGE, postCreateCommand: 'echo kept > notes.txt' });
  const r = await as('POST', '/v1/workspaces?wait=25', { provider: 'local', name, source: { image: IMAGE }, devcontainer });
  expect(r.body.status).toBe('Running');
  return r.body.id;
}

beforeAll(async () => {
  // A resync every second: drift is noticed by the control plane on its own, not by a request.
  cp = await startControlPlane({ resyncIntervalSeconds: 1 });
  await cp.call('POST', '/v1/providers', { yaml: 'name: local\ncontainerInactivityTimeout: 0\n' });
  token = await cp.tokenFor('dev');
}, 120_000);

afterAll(async () => {
  await cp?.dispose();
});

describe('drift: what happens on the engine outside workbay is noticed and corrected', () => {
  it('a container stopped with docker stop runs again within a resync, and an event says why', async () => {
    const id = await create('stopped-outside');
    await (await container(id))!.stop({ t: 0 });
    expect(await runningOnEngine(id)).toBe(false);
    expect(await pollUntil(() => runningOnEngine(id), Boolean, 30_000, 200)).toBe(true);
    const drifted = (await events(id)).filter((e) => e.type === 'workspace.drifted');
    expect(drifted).toHaveLength(1);
    expect(drifted[0]!.message).toMatch(/stopped outside workbay/);
    expect(drifted[0]!.data).toMatchObject({ drift: 'stopped' });
    expect((await pollUntil(() => as('GET', `/v1/workspaces/${id}`), (r) => r.body.status === 'Running', 10_000)).body.status).toBe('Running');
  }, 60_000);

  it('a container removed with docker rm -f is created again on its volume, files intact', async () => {
    const id = await create('removed-outside');
    // Written by the user, not by a hook: a recreate that lost the volume could not write it again.
    expect((await as('POST', `/v1/workspaces/${id}/exec`, { command: ['sh', '-c', 'echo precious > mine.txt'] })).body.exitCode).toBe(0);
    const before = (await objectsOf(docker, id)).containers[0]!.Id;
    await (await container(id))!.remove({ force: true });
    const after = await pollUntil(async () => (await objectsOf(docker, id)).containers[0]?.Id, (c) => !!c && c !== before, 30_000, 200);
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    await pollUntil(() => as('GET', `/v1/workspaces/${id}`), (r) => r.body.status === 'Running', 20_000);
    const cat = await as('POST', `/v1/workspaces/${id}/exec`, { command: ['cat', 'mine.txt'] });
    expect(cat.body).toMatchObject({ exitCode: 0, stdout: 'precious\n' });
    expect((await events(id)).find((e) => e.type === 'workspace.drifted')!.data).toMatchObject({ drift: 'missing' });
  }, 60_000);

  it('a stopped workspace started by hand on the engine is stopped again', async () => {
    const id = await create('started-outside');
    expect((await as('POST', `/v1/workspaces/${id}/stop?wait=25`)).body.status).toBe('Stopped');
    await (await container(id))!.start();
    expect(await pollUntil(() => runningOnEngine(id), (r) => !r, 30_000, 200)).toBe(false);
    expect((await events(id)).find((e) => e.type === 'workspace.drifted')!.data).toMatchObject({ drift: 'running' });
    expect((await as('GET', `/v1/workspaces/${id}`)).body.status).toBe('Stopped');
  }, 60_000);

  it('a container that keeps dying ends in Error with its exit code, not a restart storm', async () => {
    const id = await create('crash-loop');
    for (let kill = 1; kill <= 4; kill++) {
      await pollUntil(() => runningOnEngine(id), Boolean, 30_000, 100);
      await (await container(id))!.kill();
      if (kill < 4) await pollUntil(async () => (await events(id)).filter((e) => e.type === 'workspace.drifted').length, (n) => n >= kill, 30_000, 100);
    }
    const ws = (await pollUntil(() => as('GET', `/v1/workspaces/${id}`), (r) => r.body.status === 'Error', 30_000)).body;
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toMatch(/exit code 137/);
    expect((await events(id)).filter((e) => e.type === 'workspace.drifted')).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await runningOnEngine(id)).toBe(false);
    // Asking again for the desired state retries it, as with any Error.
    expect((await as('POST', `/v1/workspaces/${id}/start?wait=25`)).body.status).toBe('Running');
  }, 120_000);
});
