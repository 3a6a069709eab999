import { existsSync } from 'node:fs';
import { Agent } from 'node:http';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { followContainer } from '../../lib/drivers/docker/compose/events';
import { waitForCondition } from '../../lib/drivers/docker/compose/wait';
import { appWithDb, composeApi } from '../support/compose';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';
import { startPodman, type PodmanEngine } from '../support/podman';

/**
 * Docker Compose dev containers on Podman 4.3 through its Docker-compatible API (ADR 0017): the
 * compose engine unchanged, with what Podman does differently handled (healthchecks without
 * systemd, event names, DNS on project networks).
 */
const IMAGE = 'workbay-test/busybox:local';
const NODNS = 'workbay-compose-nodns';
let podman: PodmanEngine;
let cp: TestControlPlane;
let git: GitServer;

const devcontainer = { dockerComposeFile: 'docker-compose.yml', service: 'app', workspaceFolder: '/workspaces/app', overrideCommand: true, postStartCommand: 'echo started >> /tmp/hooks' };
const compose = appWithDb(IMAGE);
const files = (yml: string) => ({
  '.devcontainer/devcontainer.json': JSON.stringify(devcontainer),
  '.devcontainer/docker-compose.yml': yml,
  '.devcontainer/Dockerfile': `FROM ${IMAGE}\nRUN echo built-on-podman > /built-marker\n`,
  'README.md': 'a compose repo on podman\n',
});

const as = (method: string, path: string, json?: unknown) => cp.call(method, path, { json });
const { sh, settled, up } = composeApi(as, 'podman');
const project = (id: string) => `workbay-${id.toLowerCase()}`;
/** What Podman holds for a workspace: by the Compose project label, and by workbay's workspace label. */
const onPodman = async (id: string) => {
  const label = [`com.docker.compose.project=${project(id)}`];
  const mine = [`workbay.dev/workspace-id=${id}`];
  const containers = await podman.client.listContainers({ all: true, filters: { label } });
  return {
    states: Object.fromEntries(containers.map((c) => [c.Labels['com.docker.compose.service']!, c.State])),
    networks: (await podman.client.listNetworks({ filters: { label } })).map((n) => n.Name),
    volumes: ((await podman.client.listVolumes({ filters: { label: mine } })).Volumes ?? []).map((v) => v.Name).sort(),
    images: (await podman.client.listImages({ filters: { label: mine } })).length,
  };
};
/** One call to Podman's own API (the Docker API cannot make a network without DNS). */
const libpod = (method: string, path: string, body?: unknown) => new Promise((resolve, reject) => {
  podman.client.modem.dial({ path: `/v4.0.0/libpod${path}`, method, options: body ?? {}, statusCodes: { 200: true, 201: true, 204: true, 404: 'missing', 500: 'server error' } },
    (err: unknown, data: unknown) => (err ? reject(err) : resolve(data)));
});

beforeAll(async () => {
  // Name resolution on Podman's CNI networks is the dnsname plugin; without it the main flow cannot pass.
  expect(existsSync('/usr/lib/cni/dnsname'), 'Compose on Podman needs the dnsname CNI plugin: apt-get install -y golang-github-containernetworking-plugin-dnsname (test/support/provision.ts lists it)').toBe(true);
  podman = await startPodman(testDocker(inject('dockerHost')), [IMAGE, 'workbay-test/git:local']);
  git = await startGitServer();
  cp = await startControlPlane();
  const yaml = `name: podman\npath: /usr/bin/podman\ncontainerInactivityTimeout: 0\nagent:\n  docker:\n    env:\n      DOCKER_HOST: ${podman.host}\nworkbay:\n  policy: {networks: [${NODNS}]}\n`;
  expect((await cp.call('POST', '/v1/providers', { yaml })).status).toBe(201);
}, 180_000);
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
  // Podman's CNI network files live in /etc/cni/net.d, outside the private storage close() removes.
  for (const n of podman ? await podman.client.listNetworks().catch(() => []) : []) {
    if (n.Name !== 'podman') await podman.client.getNetwork(n.Name).remove().catch(() => undefined);
  }
  await podman?.close();
}, 90_000);

describe('a Compose project on Podman: a built app and a db with a healthcheck', () => {
  let id = '';

  it('reaches Running once the db is healthy; exec in the app reaches db by name and alias', async () => {
    const ws = await up('podman-compose', git.repo('podman-compose', files(compose)));
    id = ws.id;
    expect(ws.statusReason).toBeUndefined();
    expect(ws.status).toBe('Running');
    expect((await sh(id, 'wget -q -O- http://db:5432/')).stdout).toBe('db-ok\n');
    expect((await sh(id, 'wget -q -O- http://database:5432/')).stdout).toBe('db-ok\n');
    expect((await sh(id, 'cat /built-marker; pwd; cat README.md; cat /tmp/hooks')).stdout).toBe('built-on-podman\n/workspaces/app\na compose repo on podman\nstarted\n');
    const e = await onPodman(id);
    expect(e.states).toEqual({ app: 'running', db: 'running' });
    expect(e.networks).toEqual([`${project(id)}_default`]);
    expect(e.volumes).toEqual([`${project(id)}_db-data`, `workbay-${id.toLowerCase()}`].sort());
    // The db's healthcheck ran (Podman without systemd runs none on its own) and passed.
    const db = await podman.client.getContainer(`${project(id)}-db-1`).inspect();
    expect(db.State.Health?.Status).toBe('healthy');
  }, 240_000);

  it('stop stops both services; start waits for the db again and it kept its volume', async () => {
    expect((await as('POST', `/v1/workspaces/${id}/stop?wait=25`)).body.status).toBe('Stopped');
    expect((await onPodman(id)).states).toEqual({ app: 'exited', db: 'exited' });
    await as('POST', `/v1/workspaces/${id}/start?wait=25`);
    expect((await settled(id)).status).toBe('Running');
    expect((await sh(id, 'wget -q -O- http://db:5432/')).stdout).toBe('seeded\ndb-ok\n');
    expect((await sh(id, 'cat /tmp/hooks')).stdout).toBe('started\nstarted\n');
  }, 180_000);

  it('delete leaves nothing of the project on Podman', async () => {
    expect((await as('DELETE', `/v1/workspaces/${id}?wait=25`)).status).toBe(204);
    expect(await onPodman(id)).toEqual({ states: {}, networks: [], volumes: [], images: 0 });
  }, 120_000);
});

describe('what Podman does differently is handled or refused by name', () => {
  it('a healthcheck that fails is an Error naming the service with its healthcheck output', async () => {
    const yml = `services:\n  app:\n    image: ${IMAGE}\n    depends_on: { db: { condition: service_healthy } }\n  db:\n    image: ${IMAGE}\n    command: ["sleep", "3600"]\n    healthcheck: { test: ["CMD-SHELL", "echo db-not-ready; exit 1"], interval: 1s, retries: 2 }\n`;
    const ws = await up('podman-unhealthy', git.repo('podman-unhealthy', files(yml)));
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toMatch(/service "db" is unhealthy \(its healthcheck failed\); last healthcheck: exit code 1, output: db-not-ready/);
    expect((await onPodman(ws.id)).states).toEqual({ app: 'created', db: 'running' });
    expect((await as('DELETE', `/v1/workspaces/${ws.id}?wait=25`)).status).toBe(204);
    expect(await onPodman(ws.id)).toEqual({ states: {}, networks: [], volumes: [], images: 0 });
  }, 180_000);

  it('services on a network without DNS are refused naming the network, before any container is made', async () => {
    await libpod('POST', '/networks/create', { name: NODNS, dns_enabled: false, driver: 'bridge' });
    const yml = `services:\n  app:\n    image: ${IMAGE}\n    networks: [shared]\n  db:\n    image: ${IMAGE}\n    command: ["sleep", "3600"]\n    networks: [shared]\nnetworks:\n  shared: { external: true, name: ${NODNS} }\n`;
    const ws = await up('podman-nodns', git.repo('podman-nodns', files(yml)));
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toMatch(new RegExp(`Podman serves no DNS on the network ${NODNS}, so the services app, db could not reach each other by name; install the dnsname CNI plugin`));
    expect((await onPodman(ws.id)).states).toEqual({});
    expect((await as('DELETE', `/v1/workspaces/${ws.id}?wait=25`)).status).toBe(204);
    // An external network is not the workspace's: delete leaves it.
    expect((await podman.client.listNetworks()).map((n) => n.Name)).toContain(NODNS);
  }, 180_000);
});

describe('dependency waits on Podman\'s events stream', () => {
  it('a one-shot service is waited for until it exits (Podman filters exits as `died`), and no stream stays open', async () => {
    // Podman answers an events request only with its first event: a wait must close it either way.
    const agent = new Agent({ keepAlive: false });
    const client = new Docker({ socketPath: podman.socketPath, agent } as Docker.DockerOptions);
    const openSockets = () => Object.values(agent.sockets).reduce((n, list) => n + (list?.length ?? 0), 0);
    const run = async (cmd: string) => {
      const c = await client.createContainer({ Image: IMAGE, Cmd: ['sh', '-c', cmd] });
      await c.start();
      return c.id;
    };
    const ok = await run('sleep 2; exit 0');
    const bad = await run('sleep 2; echo migration-failed; exit 3');
    await waitForCondition(client, 'migrate', ok, 'service_completed_successfully', 120_000);
    expect((await client.getContainer(ok).inspect()).State).toMatchObject({ Status: 'exited', ExitCode: 0 });
    await expect(waitForCondition(client, 'job', bad, 'service_completed_successfully', 120_000))
      .rejects.toThrow(/service "job" exited with code 3, and a dependent service needs it to complete successfully; last log lines:\nmigration-failed/);
    // Podman's exit reaches the subscription (filtered as `died`, sent as `die`), replayed from the start.
    const since = Math.floor(Date.parse((await client.getContainer(ok).inspect()).State.StartedAt) / 1000);
    const actions: string[] = [];
    await new Promise<void>((resolve) => {
      const events = followContainer(client, ok, since, (a) => { actions.push(a); if (a === 'die') { events.close(); resolve(); } });
    });
    expect(actions).toEqual(['start', 'die']);
    const quiet = await run('exec sleep 3600');
    await expect(waitForCondition(client, 'quiet', quiet, 'service_completed_successfully', 3_000)).rejects.toThrow(/service "quiet" did not complete within 3 s/);
    await vi.waitFor(() => expect(openSockets()).toBe(0));
  }, 180_000);
});
