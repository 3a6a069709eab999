import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';

const IMAGE = 'workbay-test/busybox:local';
const hooks = {
  containerEnv: { GREETING: 'hello' },
  postCreateCommand: 'echo created >> /tmp/post-create.log',
  postStartCommand: 'echo started >> /tmp/post-start.log',
};

let cp: TestControlPlane;
let git: GitServer;
let token: string;
const docker = testDocker();

beforeAll(async () => {
  cp = await startControlPlane();
  git = await startGitServer();
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\ncontainerInactivityTimeout: 300\n' })).status).toBe(201);
  token = await cp.tokenFor('dev');
});
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
});

const as = (method: string, path: string, json?: unknown, headers?: Record<string, string>) => cp.call(method, path, { token, json, headers });

let memo: ReturnType<typeof makeSources> | undefined;
const sources = () => (memo ??= makeSources());
const makeSources = () => ({
  image: { source: { image: IMAGE }, devcontainer: JSON.stringify({ image: IMAGE, ...hooks }) },
  dockerfile: {
    source: {
      git: {
        url: git.repo('with-dockerfile', {
          '.devcontainer/devcontainer.json': JSON.stringify({ build: { dockerfile: 'Dockerfile', args: { FLAVOUR: 'built' } }, ...hooks }),
          '.devcontainer/Dockerfile': `FROM ${IMAGE}\nARG FLAVOUR\nRUN echo "$FLAVOUR" > /flavour\n`,
        }),
      },
    },
  },
  git: {
    source: {
      git: {
        url: git.repo('with-devcontainer', {
          '.devcontainer/devcontainer.json': `// JSONC, as VS Code writes it\n${JSON.stringify({ image: IMAGE, ...hooks }, null, 2).replace(/}\s*$/, ',}')}`,
          'README.md': 'from git\n',
        }),
      },
    },
  },
});

describe.each(['image', 'dockerfile', 'git'] as const)('workspace lifecycle through the API (%s)', (kind) => {
  let id = '';
  const exec = async (command: string | string[]) => (await as('POST', `/v1/workspaces/${id}/exec`, { command })).body;

  it('reaches Running with env and postCreate run once', async () => {
    const r = await as('POST', '/v1/workspaces?wait=25', { provider: 'local-docker', name: `ws-${kind}`, ...sources()[kind] });
    expect(r.body.statusReason).toBeUndefined();
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('Running');
    id = r.body.id;
    expect(await exec('echo $GREETING')).toMatchObject({ exitCode: 0, stdout: 'hello\n' });
    expect((await exec(['cat', '/tmp/post-create.log'])).stdout).toBe('created\n');
    if (kind === 'dockerfile') expect((await exec(['cat', '/flavour'])).stdout).toBe('built\n');
    if (kind === 'git') expect((await exec(['cat', 'README.md'])).stdout).toBe('from git\n');
    const { containers, volumes } = await objectsOf(docker, id);
    expect(containers).toHaveLength(1);
    expect(containers[0]!.Labels['dev.containers.id']).toBe(id);
    expect(JSON.parse(containers[0]!.Labels['devcontainer.metadata']!)[0].postCreateCommand).toBe(hooks.postCreateCommand);
    expect(volumes).toEqual([`workbay-${id.toLowerCase()}`]);
  }, 120_000);

  it('stop leaves the container exited and the workspace Stopped', async () => {
    const r = await as('POST', `/v1/workspaces/${id}/stop?wait=25`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'Stopped', stopReason: 'user', devpodStatus: 'Stopped' });
    const info = await docker.getContainer((await objectsOf(docker, id)).containers[0]!.Id).inspect();
    expect(info.State.Status).toBe('exited');
  }, 60_000);

  it('start runs postStart again and postCreate not', async () => {
    const r = await as('POST', `/v1/workspaces/${id}/start?wait=25`);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('Running');
    expect((await exec(['cat', '/tmp/post-start.log'])).stdout).toBe('started\nstarted\n');
    expect((await exec(['cat', '/tmp/post-create.log'])).stdout).toBe('created\n');
  }, 60_000);

  it('delete removes the container and its volume, then GET is 404', async () => {
    expect((await as('DELETE', `/v1/workspaces/${id}?wait=25`)).status).toBe(204);
    expect((await as('GET', `/v1/workspaces/${id}`)).status).toBe(404);
    expect(await objectsOf(docker, id)).toEqual({ containers: [], volumes: [] });
  }, 60_000);
});

describe('idempotent creates', () => {
  it('the same Idempotency-Key twice yields one workspace and one container; another key with the same name is 409', async () => {
    const body = { provider: 'local-docker', name: 'idem', source: { image: IMAGE } };
    const [a, b] = await Promise.all([
      as('POST', '/v1/workspaces?wait=25', body, { 'idempotency-key': 'same-key' }),
      as('POST', '/v1/workspaces?wait=25', body, { 'idempotency-key': 'same-key' }),
    ]);
    expect(a.body.id).toBe(b.body.id);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    await cp.settle();
    expect((await objectsOf(docker, a.body.id)).containers).toHaveLength(1);
    const other = await as('POST', '/v1/workspaces', body, { 'idempotency-key': 'other-key' });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('workspace.conflict');
    // Machine-readable: a client finds the other workspace without parsing the message.
    expect(other.body).toMatchObject({ name: body.name, workspaceId: a.body.id });
  }, 120_000);
});

describe('connection and logs', () => {
  it('connection info carries an attach command built from the provider path; logs return output', async () => {
    // path names the CLI; DOCKER_HOST keeps it on the test engine (without it, path: podman means Podman's socket).
    await cp.call('POST', '/v1/providers', { yaml: `name: podman-path\npath: /usr/bin/podman\nagent:\n  docker:\n    env:\n      DOCKER_HOST: ${inject('dockerHost')}\n` });
    const r = await as('POST', '/v1/workspaces?wait=25', { provider: 'podman-path', name: 'conn', source: { image: IMAGE } });
    expect(r.body.status).toBe('Running');
    const c = await as('GET', `/v1/workspaces/${r.body.id}/connection`);
    expect(c.body.attach.slice(0, 5)).toEqual(['/usr/bin/podman', '--url', inject('dockerHost'), 'exec', '-it']);
    expect(c.body.attach).toContain(`workbay-${r.body.id.toLowerCase()}`);
    expect(c.body.env.DOCKER_HOST).toMatch(/^unix:\/\//);
    expect((await as('GET', `/v1/workspaces/${r.body.id}/logs`)).body).toContain('Container started');
  }, 60_000);
});
