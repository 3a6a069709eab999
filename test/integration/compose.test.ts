import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appWithDb, composeApi } from '../support/compose';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';

/** Docker Compose dev containers on a Docker provider (issue 12), through the API, on the test engine. */
const IMAGE = 'workbay-test/busybox:local';
const docker = testDocker();
let cp: TestControlPlane;
let git: GitServer;
let token: string;
const scratch = mkdtempSync(join(tmpdir(), 'workbay-compose-'));

const devcontainer = {
  name: 'compose', dockerComposeFile: 'docker-compose.yml', service: 'app', workspaceFolder: '/workspaces/app', features: { './greeter': { greeting: 'hola' } },
  overrideCommand: true, shutdownAction: 'stopCompose', postCreateCommand: 'echo created >> /tmp/hooks', postStartCommand: 'echo started >> /tmp/hooks',
};
const compose = appWithDb(IMAGE, { FROM_COMPOSE: 'yes' });
const files: Record<string, string> = {
  '.devcontainer/devcontainer.json': JSON.stringify(devcontainer),
  '.devcontainer/docker-compose.yml': compose,
  '.devcontainer/Dockerfile': `FROM ${IMAGE}\nRUN echo built-from-dockerfile > /built-marker\n`,
  '.devcontainer/greeter/devcontainer-feature.json': JSON.stringify({ id: 'greeter', version: '1.0.0', options: { greeting: { type: 'string', default: 'hello' } }, containerEnv: { GREETER: 'installed' } }),
  '.devcontainer/greeter/install.sh': '#!/bin/sh\nset -e\necho "$GREETING" > /greeting\n',
  'README.md': 'a repo with a compose dev container\n',
};

const as = (method: string, path: string, json?: unknown) => cp.call(method, path, { token, json });
const { sh, settled, up } = composeApi(as);
const project = (id: string) => `workbay-${id.toLowerCase()}`;
/** What the engine holds for a Compose project, found by the Compose label alone. */
const onEngine = async (id: string) => {
  const label = [`com.docker.compose.project=${project(id)}`];
  const containers = await docker.listContainers({ all: true, filters: { label } });
  const networks = await docker.listNetworks({ filters: { label } });
  const volumes = (await docker.listVolumes({ filters: { label } })).Volumes ?? [];
  const byService = Object.fromEntries(containers.map((c) => [c.Labels['com.docker.compose.service']!, c]));
  const labels = [...containers.map((c) => c.Labels), ...networks.map((n) => n.Labels ?? {}), ...volumes.map((v) => v.Labels ?? {})];
  return { containers, networks: networks.map((n) => n.Name), volumes: volumes.map((v) => v.Name), byService, labels };
};
/** Debian's docker-compose (the real Compose CLI) as a witness, pointed at the test engine. */
const composeCli = (id: string, ...args: string[]) => {
  const dir = join(scratch, id);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return execFileSync('docker-compose', ['-p', project(id), '-f', join(dir, '.devcontainer/docker-compose.yml'), ...args], {
    env: { ...process.env, DOCKER_HOST: inject('dockerHost') }, encoding: 'utf8', timeout: 60_000,
  });
};

beforeAll(async () => {
  expect(spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status, 'docker-compose (Debian package) is the witness; see test/support/provision.ts').toBe(0);
  cp = await startControlPlane();
  git = await startGitServer();
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: compose\ncontainerInactivityTimeout: 0\n' })).status).toBe(201);
  token = await cp.tokenFor('compose');
}, 120_000);
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a Compose project with a built app service and a healthy db', () => {
  let id = '';

  it('reaches Running; exec in the app reaches db by name and alias; the source, build and hooks are there', async () => {
    const ws = await up('compose-app', git.repo('compose-app', files));
    id = ws.id;
    expect(ws.statusReason).toBeUndefined();
    expect(ws.status).toBe('Running');
    expect((await sh(id, 'wget -q -O- http://db:5432/')).stdout).toBe('db-ok\n');
    expect((await sh(id, 'wget -q -O- http://database:5432/')).stdout).toBe('db-ok\n');
    expect((await sh(id, 'cat /built-marker; echo $FROM_COMPOSE; pwd; cat README.md; cat /tmp/hooks')).stdout)
      .toBe('built-from-dockerfile\nyes\n/workspaces/app\na repo with a compose dev container\ncreated\nstarted\n');
    // The dev service gets what a single container gets: Features on its image, the metadata label, the activity file.
    expect((await sh(id, 'cat /greeting; echo $GREETER; test -f /tmp/devpod.activity && echo active')).stdout).toBe('hola\ninstalled\nactive\n');
    const e = await onEngine(id);
    const ids = (JSON.parse(e.byService.app!.Labels['devcontainer.metadata']!) as { id?: string }[]).map((x) => x.id);
    expect(ids).toEqual(['./greeter', 'workbay']);
    expect(Object.keys(e.byService).sort()).toEqual(['app', 'db']);
    expect(e.byService.app!.Names[0]).toBe(`/${project(id)}-app-1`);
    expect(e.byService.app!.Labels['workbay.dev/workspace-id']).toBe(id);
    expect(e.byService.db!.Labels['workbay.dev/workspace-id']).toBe(id);
    // Every object carries workbay's labels too, so delete and the orphan collector find it without the compose files.
    expect(e.labels).toHaveLength(4);
    for (const l of e.labels) {
      expect(l).toMatchObject({ 'workbay.dev/workspace-id': id, 'workbay.dev/managed-by': 'workbay', 'workbay.dev/instance': expect.any(String) });
    }
    expect(e.networks).toEqual([`${project(id)}_default`]);
    expect(e.volumes).toEqual([`${project(id)}_db-data`]);
  }, 240_000);

  it('the real Compose CLI lists both services of the project, running', () => {
    const out = composeCli(id, 'ps');
    expect(out).toMatch(new RegExp(`${project(id)}-app-1\\s.*Up`));
    expect(out).toMatch(new RegExp(`${project(id)}-db-1\\s.*Up`));
  }, 60_000);

  it('stop stops every service; start brings them back in order and runs postStart again', async () => {
    const stopped = await as('POST', `/v1/workspaces/${id}/stop?wait=25`);
    expect(stopped.body.status).toBe('Stopped');
    expect((await onEngine(id)).containers.map((c) => c.State)).toEqual(['exited', 'exited']);
    const started = await as('POST', `/v1/workspaces/${id}/start?wait=25`);
    expect((await settled(started.body.id, ['Running', 'Error'])).status).toBe('Running');
    // The db kept its named volume: the seed written at the first start is served now.
    expect((await sh(id, 'wget -q -O- http://db:5432/')).stdout).toBe('seeded\ndb-ok\n');
    expect((await sh(id, 'cat /tmp/hooks')).stdout).toBe('created\nstarted\nstarted\n');
  }, 180_000);

  it('delete leaves nothing of the project on the engine', async () => {
    expect((await as('DELETE', `/v1/workspaces/${id}?wait=25`)).status).toBe(204);
    const e = await onEngine(id);
    expect(e).toMatchObject({ containers: [], networks: [], volumes: [] });
    const labelled = await docker.listVolumes({ filters: { label: [`workbay.dev/workspace-id=${id}`] } });
    expect(labelled.Volumes ?? []).toEqual([]);
    expect(await docker.listImages({ filters: { label: [`workbay.dev/workspace-id=${id}`] } })).toEqual([]);
  }, 120_000);
});

describe('refusals create nothing', () => {
  it('a privileged compose service is refused by the default policy, naming it', async () => {
    const refused = compose.replace(`\n  db:\n    image: ${IMAGE}\n`, `\n  db:\n    image: ${IMAGE}\n    privileged: true\n`);
    const ws = await up('compose-privileged', git.repo('compose-privileged', { ...files, '.devcontainer/docker-compose.yml': refused }));
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toMatch(/not allowed by the provider's policy.*dockerComposeFile\.services\.db\.privileged/);
    expect(await onEngine(ws.id)).toMatchObject({ containers: [], networks: [], volumes: [] });
  }, 120_000);

  it('an unsupported key is refused at create with the key and its line', async () => {
    const bad = compose.replace(`\n  db:\n    image: ${IMAGE}\n`, `\n  db:\n    image: ${IMAGE}\n    deploy:\n      replicas: 2\n`);
    const line = bad.split('\n').indexOf('    deploy:') + 1;
    const ws = await up('compose-unsupported', git.repo('compose-unsupported', { ...files, '.devcontainer/docker-compose.yml': bad }));
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toMatch(/deploy/);
    const events = (await as('GET', `/v1/workspaces/${ws.id}/events?limit=100`)).body.items as { message: string; data?: { errors?: { field: string; line?: number }[] } }[];
    const errors = events.flatMap((e) => e.data?.errors ?? []);
    expect(`${ws.statusReason} ${JSON.stringify(errors)}`).toMatch(new RegExp(`line ${line}\\b|"line":${line}\\b`));
    expect(await onEngine(ws.id)).toMatchObject({ containers: [], networks: [], volumes: [] });
  }, 120_000);
});
