import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ulid } from 'ulid';
import { loadProvider } from '../../lib/config';
import type { DriverWorkspace } from '../../lib/drivers';
import { DockerDriver } from '../../lib/drivers/docker';
import { isWorkbayError } from '../../lib/errors';
import type { Policy } from '../../lib/policy';
import { composeApi } from '../support/compose';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';
import { kubeDriverFrom, kubeWorkspace } from '../support/kube-provider';
import { startKubeSim, type KubeSim } from '../support/kube-sim';

/** Compose options (issue 12): runServices, shutdownAction, network_mode service:x, completed and unhealthy dependencies, Kubernetes. */
const IMAGE = 'workbay-test/busybox:local';
const docker = testDocker();
const dir = mkdtempSync(join(tmpdir(), 'workbay-compose-opts-'));
let cp: TestControlPlane;
let git: GitServer;
let sim: KubeSim;
let token: string;

const as = (method: string, path: string, json?: unknown) => cp.call(method, path, { token, json });
const { sh, settled, up } = composeApi(as);
const states = async (id: string) => {
  const list = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=workbay-${id.toLowerCase()}`] } });
  return Object.fromEntries(list.map((c) => [c.Labels['com.docker.compose.service']!, c.State]));
};
const repo = (name: string, devcontainer: Record<string, unknown>, compose: string) => git.repo(name, {
  '.devcontainer/devcontainer.json': JSON.stringify({ dockerComposeFile: ['docker-compose.yml'], service: 'app', workspaceFolder: '/workspaces/src', overrideCommand: true, ...devcontainer }),
  '.devcontainer/docker-compose.yml': compose,
});

beforeAll(async () => {
  cp = await startControlPlane();
  git = await startGitServer();
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: compose\ncontainerInactivityTimeout: 0\n' })).status).toBe(201);
  token = await cp.tokenFor('compose-opts');
}, 120_000);
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runServices, shutdownAction none, network_mode service:x and a one-shot dependency', () => {
  const compose = `services:
  app:
    image: ${IMAGE}
    volumes: ["..:/workspaces/src", "shared:/shared"]
    depends_on:
      migrate: { condition: service_completed_successfully }
      db: { condition: service_started }
  migrate:
    image: ${IMAGE}
    command: ["sh", "-c", "echo migrated > /shared/migrated"]
    volumes: ["shared:/shared"]
  db:
    image: ${IMAGE}
    command: ["sh", "-c", "mkdir -p /www && echo db > /www/index.html && exec httpd -f -p 5432 -h /www"]
  sidecar:
    image: ${IMAGE}
    network_mode: service:db
    command: ["sh", "-c", "mkdir -p /www && echo sidecar > /www/index.html && exec httpd -f -p 5433 -h /www"]
  extra:
    image: ${IMAGE}
    command: ["sleep", "3600"]
volumes:
  shared: {}
`;
  let id = '';

  it('starts the chosen services and what they need, in order; the sidecar shares the db\'s network', async () => {
    const ws = await up('compose-opts', repo('compose-opts', { runServices: ['sidecar'], shutdownAction: 'none' }, compose));
    id = ws.id;
    expect(ws.statusReason).toBeUndefined();
    expect(ws.status).toBe('Running');
    expect(await states(id)).toEqual({ app: 'running', db: 'running', migrate: 'exited', sidecar: 'running' });
    expect((await sh(id, 'cat /shared/migrated; wget -q -O- http://db:5432/; wget -q -O- http://db:5433/')).stdout).toBe('migrated\ndb\nsidecar\n');
  }, 180_000);

  it('with shutdownAction none, stop stops the dev service only; start brings it back', async () => {
    expect((await as('POST', `/v1/workspaces/${id}/stop?wait=25`)).body.status).toBe('Stopped');
    expect(await states(id)).toEqual({ app: 'exited', db: 'running', migrate: 'exited', sidecar: 'running' });
    await as('POST', `/v1/workspaces/${id}/start?wait=25`);
    expect((await settled(id)).status).toBe('Running');
    expect((await sh(id, 'wget -q -O- http://db:5433/')).stdout).toBe('sidecar\n');
    expect((await as('DELETE', `/v1/workspaces/${id}?wait=25`)).status).toBe(204);
    expect(await states(id)).toEqual({});
  }, 180_000);
});

describe('a dependency that does not get ready', () => {
  it('an unhealthy service is an Error naming it, with its last log lines', async () => {
    const compose = `services:
  app:
    image: ${IMAGE}
    depends_on: { db: { condition: service_healthy } }
  db:
    image: ${IMAGE}
    command: ["sh", "-c", "echo db-is-broken; exec sleep 3600"]
    healthcheck: { test: ["CMD", "false"], interval: 1s, retries: 2 }
`;
    const ws = await up('compose-unhealthy', repo('compose-unhealthy', {}, compose));
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toMatch(/service "db" is unhealthy[\s\S]*db-is-broken/);
    expect((await states(ws.id)).app).toBe('created');
    await as('DELETE', `/v1/workspaces/${ws.id}?wait=25`);
  }, 180_000);

  it('a one-shot dependency that fails is an Error with its exit code', async () => {
    const compose = `services:
  app:
    image: ${IMAGE}
    depends_on: { migrate: { condition: service_completed_successfully } }
  migrate:
    image: ${IMAGE}
    command: ["sh", "-c", "echo migration failed; exit 3"]
`;
    const ws = await up('compose-oneshot', repo('compose-oneshot', {}, compose));
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toMatch(/service "migrate" exited with code 3[\s\S]*migration failed/);
    await as('DELETE', `/v1/workspaces/${ws.id}?wait=25`);
  }, 180_000);
});

describe('what cannot run is refused at the API', () => {
  it('a compose devcontainer.json with an image source: there is no repository to read the files from', async () => {
    const devcontainer = JSON.stringify({ dockerComposeFile: 'docker-compose.yml', service: 'app' });
    const r = await as('POST', '/v1/workspaces', { provider: 'compose', name: 'compose-image', source: { image: IMAGE }, devcontainer });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'config.invalid', errors: [expect.objectContaining({ field: 'source' })] });
    expect(((await as('GET', '/v1/workspaces')).body.items as { name: string }[]).filter((w) => w.name === 'compose-image')).toEqual([]);
  });
});

describe('the policy holds at every start', () => {
  const policyOf = (yaml: string): Policy => loadProvider(`name: p\nworkbay:\n  policy: ${yaml}\n`).definition.policy;
  const driverWith = (policy: Policy) => new DockerDriver({
    host: inject('dockerHost'), cliPath: 'docker', install: false, helper: { image: 'workbay-test/git:local', network: 'host' }, policy,
  });

  it('a project made under a looser policy does not start once a service\'s capability is no longer allowed', async () => {
    const compose = `services:\n  app:\n    image: ${IMAGE}\n    depends_on: [net]\n  net:\n    image: ${IMAGE}\n    cap_add: [NET_ADMIN]\n    command: ["sleep", "3600"]\n`;
    const ws: DriverWorkspace = { id: ulid(), name: 'tight', owner: 'tests', source: { git: { url: repo('compose-tight', {}, compose) } }, env: {} };
    const strict = driverWith(policyOf('{}'));
    try {
      await driverWith(policyOf('{capabilities: [NET_ADMIN]}')).create(ws, () => {});
      expect(await states(ws.id)).toEqual({ app: 'running', net: 'running' });
      await strict.stop(ws);
      const err = await strict.start(ws, () => {}).catch((e: unknown) => e);
      expect(isWorkbayError(err, 'policy.denied'), String(err)).toBe(true);
      expect((err as { errors: { field: string; rule: string }[] }).errors).toEqual([
        expect.objectContaining({ field: 'dockerComposeFile.services.net.cap_add[0]', rule: 'policy.capabilities' }),
      ]);
      expect(await states(ws.id)).toEqual({ app: 'exited', net: 'exited' });
    } finally {
      await strict.delete(ws);
      await strict.close();
    }
  }, 120_000);
});

describe('create is idempotent', () => {
  it('a create after the dev container was removed outside workbay adopts the other services and recreates it', async () => {
    const compose = `services:\n  app:\n    image: ${IMAGE}\n    depends_on: [db]\n  db:\n    image: ${IMAGE}\n    command: ["sleep", "3600"]\n`;
    const ws: DriverWorkspace = { id: ulid(), name: 'again', owner: 'tests', source: { git: { url: repo('compose-again', {}, compose) } }, env: {} };
    const d = new DockerDriver({ host: inject('dockerHost'), cliPath: 'docker', install: false, helper: { image: 'workbay-test/git:local', network: 'host' } });
    try {
      const first = await d.create(ws, () => {});
      const db = (await docker.listContainers({ filters: { label: [`com.docker.compose.service=db`, `workbay.dev/workspace-id=${ws.id}`] } }))[0]!.Id;
      await docker.getContainer(first.ref.containerId!).remove({ force: true });
      expect(await d.find(ws)).toBeUndefined();
      const again = await d.create(ws, () => {});
      expect(again.state).toBe('running');
      expect(again.ref.containerId).not.toBe(first.ref.containerId);
      expect((await docker.listContainers({ filters: { label: [`com.docker.compose.service=db`, `workbay.dev/workspace-id=${ws.id}`] } })).map((c) => c.Id)).toEqual([db]);
      expect((await d.exec(ws, ['sh', '-c', 'ping -c1 -W2 db >/dev/null && echo reached'])).stdout).toBe('reached\n');
    } finally {
      await d.delete(ws);
      await d.close();
    }
  }, 120_000);
});

describe('Kubernetes providers refuse compose configs', () => {
  const devcontainer = JSON.stringify({ dockerComposeFile: 'docker-compose.yml', service: 'app' });
  beforeAll(async () => {
    sim = await startKubeSim({ dockerHost: inject('dockerHost') });
    sim.writeKubeconfig(join(dir, 'kubeconfig'));
  }, 60_000);
  const provider = () => `name: kcompose\ndriver: kubernetes\nconfig: ${join(dir, 'kubeconfig')}\ncontext: kube-sim\nnamespace: kcompose\ncreateNamespace: true\n`;

  it('at the API, before anything is written, when the request carries the config', async () => {
    expect((await cp.call('POST', '/v1/providers', { yaml: provider() })).status).toBe(201);
    const r = await as('POST', '/v1/workspaces', { provider: 'kcompose', name: 'kube-compose', source: { git: { url: 'git://127.0.0.1:1/none.git' } }, devcontainer });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'config.invalid', errors: [expect.objectContaining({ field: 'devcontainer.dockerComposeFile' })] });
    expect(r.body.detail ?? r.body.title).toMatch(/Docker Compose is not supported by Kubernetes providers/);
    expect(((await as('GET', '/v1/workspaces')).body.items as { name: string }[]).filter((w) => w.name === 'kube-compose')).toEqual([]);
  });

  it('in the driver, when the repository holds it, before a pod is made', async () => {
    const url = repo('kube-compose', {}, `services:\n  app:\n    image: ${IMAGE}\n`);
    const d = await kubeDriverFrom(provider());
    const ws = kubeWorkspace({ source: { git: { url } } });
    try {
      const err = await d.create(ws, () => {}).catch((e: unknown) => e);
      expect(isWorkbayError(err, 'config.invalid'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(/Docker Compose is not supported by Kubernetes providers/);
      const pods = await (await fetch(`${sim.url}/api/v1/namespaces/kcompose/pods`, { headers: { authorization: `Bearer ${sim.token}` } })).json() as { items: { metadata: { labels?: Record<string, string> } }[] };
      expect(pods.items.filter((p) => Object.values(p.metadata.labels ?? {}).includes(ws.id.toLowerCase()) || Object.values(p.metadata.labels ?? {}).includes(ws.id))).toEqual([]);
    } finally {
      await d.delete(ws);
    }
  }, 120_000);
});
