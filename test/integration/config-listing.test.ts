import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';
import { startKubeControlPlane, type KubeControlPlane } from '../support/kube-control-plane';
import type { KubeSim } from '../support/kube-sim';
import { runCli } from '../support/processes';
import { listDockerConfigs } from '../../lib/drivers/docker/config-listing';
import { isWorkbayError } from '../../lib/errors';

/** Issue 11: GET lists the configs found in a repository, so a portal or CLI can offer a choice. */
const IMAGE = 'workbay-test/busybox:local';
let cp: TestControlPlane;
let git: GitServer;
let token: string;
let three = '';
let two = '';
const docker = testDocker();

beforeAll(async () => {
  cp = await startControlPlane();
  git = await startGitServer();
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\n' })).status).toBe(201);
  token = await cp.tokenFor('lister');
  three = git.repo('three-configs', {
    // JSONC, as VS Code writes it: comments and a trailing comma.
    '.devcontainer.json': `// the root one\n{ "name": "Root config", "image": "${IMAGE}", }\n`,
    '.devcontainer/python/devcontainer.json': JSON.stringify({ name: 'Python 3', image: IMAGE }),
    '.devcontainer/node/devcontainer.json': JSON.stringify({ image: IMAGE }),
    '.devcontainer/notes/README.md': 'not a config\n',
    'README.md': 'hello\n',
  });
  two = git.repo('two-configs', {
    '.devcontainer/b/devcontainer.json': JSON.stringify({ name: 'B', image: IMAGE }),
    '.devcontainer/a/devcontainer.json': JSON.stringify({ name: 'A', image: IMAGE }),
  });
});
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
});

const list = (query: Record<string, string>, as: string | null = token) =>
  cp.call('GET', `/v1/providers/local-docker/devcontainers?${new URLSearchParams(query)}`, { token: as });

/** Listing helpers left on the engine: containers and volumes, by label and by name. */
async function leftovers(): Promise<string[]> {
  const label = ['workbay.dev/helper=config-listing'];
  const containers = await docker.listContainers({ all: true, filters: { label } });
  const named = await docker.listContainers({ all: true, filters: { name: ['workbay-configs-'] } });
  const volumes = (await docker.listVolumes({ filters: { label } })).Volumes ?? [];
  return [...containers, ...named].map((c) => c.Names[0]!).concat(volumes.map((v) => v.Name));
}

/** What the `three-configs` repository lists: the root config first, then the nested ones sorted. */
const THREE_CONFIGS = {
  items: [
    { path: '.devcontainer.json', name: 'Root config' },
    { path: '.devcontainer/node/devcontainer.json' },
    { path: '.devcontainer/python/devcontainer.json', name: 'Python 3' },
  ],
  default: '.devcontainer.json',
};

describe('GET /v1/providers/{name}/devcontainers', () => {
  it('lists the root config, then the nested ones sorted, with their names and the default', async () => {
    const r = await list({ git: three, ref: 'main' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(THREE_CONFIGS);
    expect(await leftovers()).toEqual([]);
  }, 120_000);

  it('several nested configs and no fixed one: no default, a choice', async () => {
    const r = await list({ git: two });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ items: [{ path: '.devcontainer/a/devcontainer.json', name: 'A' }, { path: '.devcontainer/b/devcontainer.json', name: 'B' }] });
  }, 120_000);

  it('a listed path can be chosen when creating a workspace', async () => {
    const { items } = (await list({ git: three })).body as { items: { path: string; name?: string }[] };
    const python = items.find((i) => i.name === 'Python 3')!;
    const ws = await cp.call('POST', '/v1/workspaces?wait=25', { token, json: { provider: 'local-docker', name: 'listed-python', source: { git: { url: three } }, devcontainerPath: python.path } });
    expect(ws.body.status).toBe('Running');
    expect(ws.body.devcontainerPath).toBe('.devcontainer/python/devcontainer.json');
    expect((await cp.call('DELETE', `/v1/workspaces/${ws.body.id}?wait=25`, { token })).status).toBeLessThan(300);
  }, 180_000);

  it.each([
    ['a local path', '/srv/repos/x.git'],
    ['file://', 'file:///etc'],
    ['a remote-helper transport', 'ext::sh -c touch% /tmp/pwned'],
    ['an option', '--upload-pack=touch /tmp/pwned'],
    ['a password in the URL', 'https://bob:hunter2@git.example.com/r.git'],
    ['not a URL', 'hello world'],
  ])('refuses %s with a 400 naming git, and starts no helper', async (_what, url) => {
    const r = await list({ git: url });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body.code).toBe('request.invalid');
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'query.git' })]);
    expect(JSON.stringify(r.body)).not.toContain('hunter2');
    expect(await leftovers()).toEqual([]);
  });

  it('a missing git parameter, an unknown provider, no token', async () => {
    expect((await cp.call('GET', '/v1/providers/local-docker/devcontainers', { token })).body.errors[0].field).toBe('query.git');
    expect((await cp.call('GET', `/v1/providers/nope/devcontainers?git=${encodeURIComponent(three)}`, { token })).status).toBe(404);
    expect((await list({ git: three }, null)).status).toBe(401);
  });

  it('a repository that cannot be cloned is a 422 with git\'s reason, and nothing is left', async () => {
    const r = await list({ git: three.replace('three-configs', 'no-such-repo') });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('driver.sourceFailed');
    expect(r.body.detail).toMatch(/cloning the repository .* failed \(exit \d+\)/);
    const branch = await list({ git: three, ref: 'no-such-branch' });
    expect(branch.status).toBe(422);
    expect(branch.body.detail).toMatch(/no-such-branch/);
    expect(await leftovers()).toEqual([]);
  }, 120_000);
});

describe('bounded in time', () => {
  it('a git server that never answers: stopped after the limit, the helper removed', async () => {
    const held: Socket[] = [];
    const silent = createServer((sock) => { held.push(sock); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `git://127.0.0.1:${(silent.address() as { port: number }).port}/r.git`;
    try {
      const started = Date.now();
      const err = await listDockerConfigs(docker, { image: 'workbay-test/git:local', network: 'host' }, { url }, 3000).catch((e: unknown) => e);
      expect(isWorkbayError(err, 'driver.sourceFailed')).toBe(true);
      expect((err as Error).message).toMatch(/took longer than 3 s and was stopped/);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(await leftovers()).toEqual([]);
    } finally {
      held.forEach((s) => s.destroy());
      silent.close();
    }
  }, 60_000);
});

describe('workbay configs', () => {
  it('prints the configs as a table, the default marked', async () => {
    const env = { WORKBAY_URL: cp.url, WORKBAY_TOKEN: token };
    const r = await runCli(['configs', `${three}#main`, '--provider', 'local-docker'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').map((l) => l.trimEnd())).toEqual([
      'PATH                                    NAME         DEFAULT',
      '.devcontainer.json                      Root config  yes',
      '.devcontainer/node/devcontainer.json',
      '.devcontainer/python/devcontainer.json  Python 3',
      '',
    ]);
    const json = await runCli(['configs', two, '--provider', 'local-docker', '--output', 'json'], env);
    expect(JSON.parse(json.stdout)).toEqual({ items: [{ path: '.devcontainer/a/devcontainer.json', name: 'A' }, { path: '.devcontainer/b/devcontainer.json', name: 'B' }] });
    const bad = await runCli(['configs', 'file:///etc', '--provider', 'local-docker'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/query\.git/);
  }, 120_000);
});

describe('on Kubernetes: a helper pod lists, and is deleted', () => {
  let sim: KubeSim;
  let kcp: TestControlPlane;
  let kube: KubeControlPlane | undefined;
  beforeAll(async () => {
    kube = await startKubeControlPlane(inject('dockerHost'), { prefix: 'workbay-kube-configs-', kubeTimeoutSeconds: 5 });
    ({ sim, cp: kcp } = kube);
  }, 120_000);
  afterAll(() => kube?.close(), 120_000);

  const helperPods = async () => {
    const res = await fetch(`${sim.url}/api/v1/pods?labelSelector=${encodeURIComponent('workbay.dev/helper=config-listing')}`, { headers: { authorization: `Bearer ${sim.token}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: { metadata: { name: string } }[] }).items.map((p) => p.metadata.name);
  };

  it('lists the same configs in the same order as on Docker', async () => {
    const r = await kcp.call('GET', `/v1/providers/simple-kubernetes/devcontainers?git=${encodeURIComponent(three)}&ref=main`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(THREE_CONFIGS);
    expect(await helperPods()).toEqual([]);
  }, 120_000);

  it('a repository that cannot be cloned is a 422, and the pod is gone', async () => {
    const r = await kcp.call('GET', `/v1/providers/simple-kubernetes/devcontainers?git=${encodeURIComponent(three.replace('three-configs', 'absent'))}`);
    expect(r.status).toBe(422);
    expect(r.body.detail).toMatch(/cloning the repository .* failed \(pod Failed\)/);
    expect(await helperPods()).toEqual([]);
  }, 120_000);
});
