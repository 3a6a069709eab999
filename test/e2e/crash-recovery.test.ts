import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { generateToken } from '../../lib/api';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { npmStart, type Started } from '../support/processes';

const dataDir = mkdtempSync(join(tmpdir(), 'workbay-crash-'));
const admin = generateToken();
const env = {
  PORT: '0', WORKBAY_DATA_DIR: dataDir, WORKBAY_ADMIN_TOKEN: admin, DOCKER_HOST: inject('dockerHost'),
  WORKBAY_HELPER_IMAGE: 'workbay-test/git:local', WORKBAY_HELPER_NETWORK: 'host', WORKBAY_RECONCILE_INTERVAL: '1s',
};
const docker = testDocker();
let server: Started | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, json?: unknown) {
  const res = await fetch(`${server!.url}${path}`, {
    method, headers: { authorization: `Bearer ${admin}`, ...(json ? { 'content-type': 'application/json' } : {}) },
    body: json ? JSON.stringify(json) : undefined,
  });
  return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
}

describe('a server killed while a workspace is Creating', () => {
  it('finishes the workspace after a restart: Running, exactly one container, no orphan volume', async () => {
    server = await npmStart(env);
    expect((await call('POST', '/v1/providers', { yaml: 'name: local-docker\n' })).status).toBe(201);
    const devcontainer = JSON.stringify({ image: 'workbay-test/busybox:local', postCreateCommand: 'sleep 3; echo finished >> /tmp/post-create.log' });
    const created = await call('POST', '/v1/workspaces', { provider: 'local-docker', name: 'crashy', source: { image: 'workbay-test/busybox:local' }, devcontainer });
    const id = created.body.id as string;
    for (let i = 0; i < 100 && (await objectsOf(docker, id)).containers.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await call('GET', `/v1/workspaces/${id}`)).body.status).toBe('Creating');
    process.kill(-server.child.pid!, 'SIGKILL');
    await new Promise((r) => server!.child.once('exit', r));

    server = await npmStart(env);
    let ws: any;
    for (let i = 0; i < 120; i++) {
      ws = (await call('GET', `/v1/workspaces/${id}`)).body;
      if (ws.status === 'Running' || ws.status === 'Error') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(ws.statusReason).toBeUndefined();
    expect(ws.status).toBe('Running');
    const objects = await objectsOf(docker, id);
    expect(objects.containers.map((c) => c.Names[0])).toEqual([`/workbay-${id.toLowerCase()}`]);
    expect(objects.volumes).toEqual([`workbay-${id.toLowerCase()}`]);
    const pc = await call('POST', `/v1/workspaces/${id}/exec`, { command: ['cat', '/tmp/post-create.log'] });
    expect(pc.body.stdout).toBe('finished\n');
    expect((await call('DELETE', `/v1/workspaces/${id}?wait=25`)).status).toBe(204);
  }, 120_000);
});
