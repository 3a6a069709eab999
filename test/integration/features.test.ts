import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';
import { startRegistry, type Registry } from '../support/registry';
import { startKubeControlPlane, type KubeControlPlane } from '../support/kube-control-plane';

/** Dev Container Features on Docker (issue 11, acceptance 1): local folders and OCI artifacts. */
const IMAGE = 'workbay-test/busybox:local';

let cp: TestControlPlane;
let git: GitServer;
let registry: Registry;
let token: string;
const docker = testDocker();

beforeAll(async () => {
  // The test registry is on loopback, which Feature references may name only when the deployment allows it.
  cp = await startControlPlane({ env: { WORKBAY_ALLOW_LOOPBACK_FEATURES: 'true' } });
  git = await startGitServer();
  registry = await startRegistry();
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: features\ncontainerInactivityTimeout: 0\n' })).status).toBe(201);
  token = await cp.tokenFor('features');
});
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
  await registry?.close();
});

const as = (method: string, path: string, json?: unknown) => cp.call(method, path, { token, json });
const sh = async (id: string, command: string) => (await as('POST', `/v1/workspaces/${id}/exec`, { command })).body as { exitCode: number; stdout: string; stderr: string };
const up = async (name: string, body: Record<string, unknown>) => {
  let ws = (await as('POST', '/v1/workspaces?wait=25', { provider: 'features', name, ...body })).body;
  for (let i = 0; i < 90 && ws.status !== 'Running' && ws.status !== 'Error'; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    ws = (await as('GET', `/v1/workspaces/${ws.id}`)).body;
  }
  return ws as { id: string; status: string; statusReason?: string };
};
const messages = async (id: string) => ((await as('GET', `/v1/workspaces/${id}/events`)).body.items as { message: string }[]).map((e) => e.message);
const imageOf = async (id: string) => (await docker.getContainer((await objectsOf(docker, id)).containers[0]!.Id).inspect()).Image;

const featureA = {
  'devcontainer-feature.json': JSON.stringify({
    id: 'greeter-a', version: '1.0.0', options: { greeting: { type: 'string', default: 'hello' } },
    containerEnv: { GREETER_A: 'installed' }, postCreateCommand: 'echo feature-a >> /tmp/hooks',
  }),
  'install.sh': '#!/bin/sh\nset -e\nmkdir -p /opt/greeter\necho "$GREETING from $_REMOTE_USER" > /opt/greeter/a\necho a >> /opt/greeter/order\necho "$GREETER_A" > /opt/greeter/a-own-env\n',
};
const featureB = {
  'devcontainer-feature.json': JSON.stringify({ id: 'greeter-b', version: '1.0.0', dependsOn: { './greeter-a': {} } }),
  'install.sh': '#!/bin/sh\nset -e\ntest -f /opt/greeter/a\necho b >> /opt/greeter/order\necho "$GREETER_A" > /opt/greeter/b-saw\n',
};
const files = (prefix: string, f: Record<string, string>) => Object.fromEntries(Object.entries(f).map(([k, v]) => [`${prefix}/${k}`, v]));

describe('local Features from the repository', () => {
  let url = '';
  let first = '';
  beforeAll(() => {
    url = git.repo('with-features', {
      // greeter-b is listed first: its dependsOn must still put greeter-a before it.
      '.devcontainer/devcontainer.json': JSON.stringify({
        image: IMAGE, features: { './greeter-b': {}, './greeter-a': { greeting: 'hola' } }, postCreateCommand: 'echo config >> /tmp/hooks',
      }),
      ...files('.devcontainer/greeter-a', featureA),
      ...files('.devcontainer/greeter-b', featureB),
    });
  });

  // As the spec and the reference CLI 0.89 (checked on the same engine): greeter-b's dependsOn asks for greeter-a
  // with other options than the config's, so greeter-a is a second instance, installed before the config's own.
  it('installs both, in dependency order, with the option value and containerEnv; Feature hooks run before the config\'s', async () => {
    const ws = await up('feat-one', { source: { git: { url } } });
    expect(ws.statusReason).toBeUndefined();
    expect(ws.status).toBe('Running');
    first = ws.id;
    expect((await sh(ws.id, 'cat /opt/greeter/order')).stdout).toBe('a\na\nb\n');
    expect((await sh(ws.id, 'cat /opt/greeter/a')).stdout).toBe('hola from root\n');
    expect((await sh(ws.id, 'cat /opt/greeter/a-own-env /opt/greeter/b-saw; echo $GREETER_A')).stdout).toBe('installed\ninstalled\ninstalled\n');
    expect((await sh(ws.id, 'cat /tmp/hooks')).stdout).toBe('feature-a\nfeature-a\nconfig\n');
    const [c] = (await objectsOf(docker, ws.id)).containers;
    const ids = (JSON.parse(c!.Labels['devcontainer.metadata']!) as { id?: string }[]).map((e) => e.id);
    expect(ids).toEqual(['./greeter-a', './greeter-a', './greeter-b', 'workbay']);
  }, 240_000);

  it('a second up of the identical config reuses the built image', async () => {
    const ws = await up('feat-two', { source: { git: { url } } });
    expect(ws.status).toBe('Running');
    expect(await imageOf(ws.id)).toBe(await imageOf(first));
    expect((await messages(ws.id)).some((m) => /^reusing workbay-features:/.test(m))).toBe(true);
    expect((await sh(ws.id, 'cat /opt/greeter/order')).stdout).toBe('a\na\nb\n');
  }, 240_000);

  it('a Feature folder that is not there is an Error naming it', async () => {
    const bad = git.repo('missing-feature', { '.devcontainer/devcontainer.json': JSON.stringify({ image: IMAGE, features: { './nope': {} } }) });
    const ws = await up('feat-missing', { source: { git: { url: bad } } });
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toMatch(/Feature "\.\/nope" was not found/);
  }, 120_000);

  // As for an uploaded folder: the archive API would resolve the link in the reader container's own filesystem.
  it('a Feature folder reached through a symlink out of the repository is refused, naming the Feature and the link', async () => {
    const evil = git.repo('symlinked-feature', {
      '.devcontainer/devcontainer.json': JSON.stringify({ image: IMAGE, features: { './out/etc': {} } }),
      '.devcontainer/out': { link: '/' },
    });
    const ws = await up('feat-symlink', { source: { git: { url: evil } } });
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toContain('Feature "./out/etc": the folder .devcontainer/out/etc leads outside the repository through the symlink .devcontainer/out');
    expect((await objectsOf(docker, ws.id)).containers).toHaveLength(0);
  }, 120_000);
});

/** A tar of an uploaded folder: name -> content, or { link } for a symlink. */
async function folderTar(entries: Record<string, string | { link: string }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, e] of Object.entries(entries)) {
    if (typeof e === 'string') pack.entry({ name, mode: name.endsWith('.sh') ? 0o755 : 0o644 }, e);
    else pack.entry({ name, type: 'symlink', linkname: e.link });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const upFolder = async (name: string, entries: Record<string, string | { link: string }>) => {
  const r = await cp.call('POST', '/v1/uploads', { token, body: (await folderTar(entries)) as unknown as string, headers: { 'content-type': 'application/x-tar' } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return up(name, { source: { upload: { id: r.body.id, folder: `/home/dev/${name}` } } });
};

describe('local Features of an uploaded folder', () => {
  it('a Feature folder that is a symlink staying inside the upload is followed', async () => {
    const ws = await upFolder('upfeat-inside', {
      '.devcontainer/devcontainer.json': JSON.stringify({ image: IMAGE, features: { './greeter-a': { greeting: 'hola' }, './greeter-b': {} } }),
      ...files('.devcontainer/greeter-a', featureA),
      '.devcontainer/greeter-b': { link: '../shared/greeter-b' },
      ...files('shared/greeter-b', featureB),
    });
    expect(ws.statusReason).toBeUndefined();
    expect(ws.status).toBe('Running');
    // As from a repository: greeter-b's dependsOn asks for a second greeter-a instance.
    expect((await sh(ws.id, 'cat /opt/greeter/order /opt/greeter/a /opt/greeter/b-saw')).stdout).toBe('a\na\nb\nhola from root\ninstalled\n');
  }, 240_000);

  // As on Kubernetes (uploads-features-kubernetes.test.ts): the engine's archive API would resolve the link in
  // the reader container's own filesystem; the Feature is refused by name instead, before any build or container.
  it.each([
    ['an absolute symlink', 'upfeat-abs', './evil', '.devcontainer/evil', '/etc', 'the folder .devcontainer/evil leads outside the uploaded folder through a symlink'],
    // Docker refuses to place a relative link that climbs out of the folder; one to a link out of it, it places.
    ['a relative symlink to a link', 'upfeat-rel', './evil', '.devcontainer/evil', '../hop', 'the folder .devcontainer/evil leads outside the uploaded folder through a symlink'],
    ['a symlink on the way', 'upfeat-way', './out/etc', '.devcontainer/out', '/', 'the folder .devcontainer/out/etc leads outside the uploaded folder through the symlink .devcontainer/out'],
  ])('a Feature folder reached through %s out of the upload is refused, naming the Feature and the link', async (_what, name, ref, at, link, why) => {
    const ws = await upFolder(name, {
      '.devcontainer/devcontainer.json': JSON.stringify({ image: IMAGE, features: { [ref]: {} } }),
      [at]: { link },
      hop: { link: '/etc' },
    });
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toContain(`Feature "${ref}": ${why}`);
    expect((await objectsOf(docker, ws.id)).containers).toHaveLength(0);
  }, 120_000);
});

/** Pushes a Feature as an OCI artifact: config blob, tar layer, manifest with the metadata annotation. */
async function pushFeature(repo: string, tag: string, f: Record<string, string>): Promise<void> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(f)) pack.entry({ name: `./${name}`, mode: name.endsWith('.sh') ? 0o755 : 0o644 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const layer = Buffer.concat(chunks);
  const config = Buffer.from('{}');
  const base = `http://${registry.host}/v2/${repo}`;
  const blob = async (body: Buffer) => {
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST' });
    const loc = new URL(start.headers.get('location')!, `http://${registry.host}`);
    loc.searchParams.set('digest', digest);
    const put = await fetch(loc, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
    expect(put.status).toBe(201);
    return { digest, size: body.length };
  };
  const manifest = {
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.devcontainers', ...(await blob(config)) },
    layers: [{ mediaType: 'application/vnd.devcontainers.layer.v1+tar', ...(await blob(layer)), annotations: { 'org.opencontainers.image.title': 'devcontainer-feature.tgz' } }],
    annotations: { 'dev.containers.metadata': f['devcontainer-feature.json']! },
  };
  const res = await fetch(`${base}/manifests/${tag}`, { method: 'PUT', body: JSON.stringify(manifest), headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
  expect(res.status).toBe(201);
}

describe('OCI Features from a registry', () => {
  it('installs a pushed Feature and the one it dependsOn, fetched through the registry API', async () => {
    await pushFeature('ns/tool', '1', {
      'devcontainer-feature.json': JSON.stringify({ id: 'tool', version: '1.0.0', options: { flavour: { type: 'string', default: 'plain' } } }),
      'install.sh': '#!/bin/sh\nset -e\nmkdir -p /opt/oci\necho "tool $FLAVOUR" >> /opt/oci/log\n',
    });
    await pushFeature('ns/hello', '1', {
      'devcontainer-feature.json': JSON.stringify({ id: 'hello', version: '1.2.0', containerEnv: { HELLO: 'oci' }, dependsOn: { [`${registry.host}/ns/tool:1`]: { flavour: 'spicy' } } }),
      'install.sh': '#!/bin/sh\nset -e\necho hello >> /opt/oci/log\n',
    });
    const ref = `${registry.host}/ns/hello:1`;
    const ws = await up('feat-oci', { source: { image: IMAGE }, devcontainer: JSON.stringify({ image: IMAGE, features: { [ref]: {} } }) });
    expect(ws.statusReason).toBeUndefined();
    expect(ws.status).toBe('Running');
    expect((await sh(ws.id, 'cat /opt/oci/log; echo $HELLO')).stdout).toBe('tool spicy\nhello\noci\n');
  }, 240_000);

  it('a Feature the registry does not have is an Error naming it', async () => {
    const ref = `${registry.host}/ns/absent:1`;
    const ws = await up('feat-absent', { source: { image: IMAGE }, devcontainer: JSON.stringify({ image: IMAGE, features: { [ref]: {} } }) });
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toContain(`Feature "${ref}" could not be fetched: no such Feature or version`);
  }, 120_000);

  it('a Feature asking for privileged is refused by the default policy, naming the Feature, before anything is built', async () => {
    await pushFeature('ns/dind', '1', {
      'devcontainer-feature.json': JSON.stringify({ id: 'dind', version: '1.0.0', privileged: true }),
      'install.sh': '#!/bin/sh\ntouch /installed\n',
    });
    const ref = `${registry.host}/ns/dind:1`;
    const ws = await up('feat-priv', { source: { image: IMAGE }, devcontainer: JSON.stringify({ image: IMAGE, features: { [ref]: {} } }) });
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toContain(`features["${ref}"].privileged`);
    expect((await objectsOf(docker, ws.id)).containers).toHaveLength(0);
  }, 120_000);
});

describe('the provider\'s policy on Feature sources', () => {
  it('a provider that restricts images refuses Features from elsewhere with 403, naming the Feature', async () => {
    const yaml = `name: features-tight\nworkbay:\n  policy:\n    images: [${IMAGE}, ${registry.host}/approved/]\n`;
    expect((await cp.call('POST', '/v1/providers', { yaml })).status).toBe(201);
    const other = `${registry.host}/ns/hello:1`;
    const r = await as('POST', '/v1/workspaces', {
      provider: 'features-tight', name: 'tight', source: { image: IMAGE }, devcontainer: JSON.stringify({ image: IMAGE, features: { [other]: {} } }),
    });
    expect(r.status).toBe(403);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: `features["${other}"]`, rule: 'policy.images' })]);
  });
});

describe('on Kubernetes: Features need a buildRepository, the config chosen', () => {
  let kcp: TestControlPlane;
  let kube: KubeControlPlane | undefined;
  beforeAll(async () => {
    kube = await startKubeControlPlane(inject('dockerHost'), { prefix: 'workbay-kube-features-', kubeTimeoutSeconds: 2 });
    kcp = kube.cp;
  }, 120_000);
  afterAll(() => kube?.close(), 120_000);

  // Installing them is covered in features-kubernetes.test.ts; without a registry to push to, the Error names both.
  it('a config with Features on a provider without buildRepository is an Error naming them, not a workspace without them', async () => {
    const ref = `${registry.host}/ns/hello:1`;
    const r = await kcp.call('POST', '/v1/workspaces?wait=25', { json: { provider: 'simple-kubernetes', name: 'k8s-features', source: { image: IMAGE }, devcontainer: JSON.stringify({ image: IMAGE, features: { [ref]: {} } }) } });
    let ws = r.body;
    for (let i = 0; i < 60 && ws.status !== 'Error' && ws.status !== 'Running'; i++) {
      await new Promise((res) => setTimeout(res, 1000));
      ws = (await kcp.call('GET', `/v1/workspaces/${ws.id}`)).body;
    }
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toContain(`this Kubernetes provider has no buildRepository: ${ref}`);
    await kcp.call('DELETE', `/v1/workspaces/${ws.id}?wait=25`);
  }, 120_000);

  it('devcontainerPath chooses among nested configs; without it the choice is an Error naming them', async () => {
    const url = git.repo('kube-two-configs', {
      '.devcontainer/one/devcontainer.json': JSON.stringify({ image: IMAGE, containerEnv: { WHICH: 'one' } }),
      '.devcontainer/two/devcontainer.json': JSON.stringify({ image: IMAGE, containerEnv: { WHICH: 'two' } }),
    });
    const wait = async (id: string) => {
      let ws = (await kcp.call('GET', `/v1/workspaces/${id}`)).body;
      for (let i = 0; i < 60 && ws.status !== 'Error' && ws.status !== 'Running'; i++) {
        await new Promise((res) => setTimeout(res, 1000));
        ws = (await kcp.call('GET', `/v1/workspaces/${id}`)).body;
      }
      return ws;
    };
    const none = await wait((await kcp.call('POST', '/v1/workspaces', { json: { provider: 'simple-kubernetes', name: 'k8s-no-choice', source: { git: { url } } } })).body.id);
    expect(none.status).toBe('Error');
    expect(none.statusReason).toContain('choose one with devcontainerPath: .devcontainer/one/devcontainer.json, .devcontainer/two/devcontainer.json');
    const two = await wait((await kcp.call('POST', '/v1/workspaces', { json: { provider: 'simple-kubernetes', name: 'k8s-two', source: { git: { url } }, devcontainerPath: '.devcontainer/two/devcontainer.json' } })).body.id);
    expect(two.statusReason).toBeUndefined();
    expect(two.status).toBe('Running');
    expect((await kcp.call('POST', `/v1/workspaces/${two.id}/exec`, { json: { command: 'echo $WHICH' } })).body.stdout).toBe('two\n');
    await kcp.call('DELETE', `/v1/workspaces/${none.id}?wait=25`);
    await kcp.call('DELETE', `/v1/workspaces/${two.id}?wait=25`);
  }, 180_000);
});
