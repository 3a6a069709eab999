import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { captureBuildctl, type BuildctlCapture } from '../support/buildctl-capture';
import { loadProvider } from '../../lib/config';
import type { DriverWorkspace } from '../../lib/drivers';
import { buildImage } from '../../lib/drivers/docker/image';
import { createKubernetesDriver, kubeNames, type KubeDriver } from '../../lib/drivers/kubernetes';
import { isWorkbayError } from '../../lib/errors';
import { filesFromTar, type FeatureFiles } from '../../lib/features';
import { localSecrets } from '../../lib/secrets';
import { DiskUploadStore } from '../../lib/uploads';
import { testDocker } from '../support/docker-inspect';
import { startKubeSim, type KubeSim } from '../support/kube-sim';
import { startRegistry, type Registry } from '../support/registry';

/**
 * Local Features of an uploaded folder on Kubernetes (ADR 0014, "On Kubernetes"; ADR 0019). As in
 * features-kubernetes.test.ts no buildkit image exists offline: the buildkit pod runs a busybox
 * `buildctl` that hands its context to this test, which builds that very context with the real test
 * engine and pushes it under the tag the driver computed, as buildkit would have.
 */
const IMAGE = 'workbay-test/busybox:local';
const docker = testDocker();
const dir = mkdtempSync(join(tmpdir(), 'workbay-kube-upfeat-'));
const uploads = new DiskUploadStore({ dir: join(dir, 'uploads') });
let sim: KubeSim;
let registry: Registry;
let capture: Server;
let driver: KubeDriver;
let base = '';
const got: BuildctlCapture = {};
const cleanups: (() => Promise<unknown>)[] = [];

type Entry = string | { content: string; mode: number } | { link: string };
const exe = (content: string) => ({ content, mode: 0o755 });

async function tarOf(entries: Record<string, Entry>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, e] of Object.entries(entries)) {
    if (typeof e === 'string') pack.entry({ name, mode: 0o644 }, e);
    else if ('link' in e) pack.entry({ name, type: 'symlink', linkname: e.link });
    else pack.entry({ name, mode: e.mode }, e.content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function follow(stream: NodeJS.ReadableStream): Promise<void> {
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (e: unknown, out: { error?: string }[]) => {
    const failed = out?.find((o) => o.error);
    return e || failed ? reject(e ?? new Error(failed!.error)) : resolve(undefined);
  }));
}

const push = async (image: string) => follow(await docker.getImage(image).push({ authconfig: { serveraddress: registry.host } } as never) as unknown as NodeJS.ReadableStream);

/** A workspace whose source is a fresh upload of `entries`, deleted after the suite. */
async function uploaded(entries: Record<string, Entry>): Promise<DriverWorkspace> {
  const info = await uploads.put('tests', [await tarOf(entries)]);
  const ws: DriverWorkspace = { id: ulid(), name: 'upfeat', owner: 'tests', env: {}, source: { upload: { id: info.id, folder: '/home/tester/upfeat', sha256: info.sha256, size: info.size } } };
  // As the workspace service does: a bound upload is the workspace's, and no longer waits for one.
  await uploads.bind(info.id, ws.id);
  cleanups.push(() => driver.delete(ws));
  return ws;
}

beforeAll(async () => {
  sim = await startKubeSim({ dockerHost: inject('dockerHost') });
  sim.writeKubeconfig(join(dir, 'kubeconfig'));
  registry = await startRegistry();
  let port: number;
  ({ server: capture, port } = await captureBuildctl(got));
  base = `${registry.host}/base/busybox:1`;
  await docker.getImage(IMAGE).tag({ repo: `${registry.host}/base/busybox`, tag: '1' });
  await push(base);
  const buildctl = [
    '#!/bin/sh', 'set -e',
    'for a in "$@"; do case "$a" in context=*) ctx="${a#context=}";; esac; done',
    'printf "%s\\n" "$@" > /tmp/argv', 'tar -C "$ctx" -cf - . | base64 > /tmp/context',
    ...['argv', 'context'].map((n) => `wget -q -O /dev/null --post-file=/tmp/${n} http://127.0.0.1:${port}/${n}`), '',
  ].join('\n');
  const fakeBuildkit = `workbay-test/fake-buildkit-upload:${port}`;
  const context = await tarOf({
    Dockerfile: `FROM ${IMAGE}\nCOPY buildctl /bin/buildctl\nENTRYPOINT ["/bin/sh", "-c", "trap 'exit 0' 15; while sleep 1 & wait $!; do :; done", "buildkitd"]\n`,
    buildctl: exe(buildctl),
  });
  await follow(await docker.buildImage(Readable.from([context]) as never, { t: fakeBuildkit, networkmode: 'host' } as never) as unknown as NodeJS.ReadableStream);
  const p = loadProvider(`name: kupfeat\ndriver: kubernetes\nconfig: ${join(dir, 'kubeconfig')}\ncontext: kube-sim\nnamespace: kupfeat\ncreateNamespace: true\nbuildRepository: ${registry.host}/ws\nbuildkitImage: ${fakeBuildkit}\n`);
  if (p.agent.driver !== 'kubernetes') throw new Error('not kubernetes');
  // The helper image places the upload with tar and reads its Feature folders with tar: busybox has it.
  driver = await createKubernetesDriver(p.agent.kubernetes, { secrets: localSecrets({}), gitImage: IMAGE, uploads }, p.definition.policy);
}, 180_000);

afterAll(async () => {
  for (const c of cleanups) await c().catch(() => undefined);
  await sim?.close();
  await registry?.close();
  await new Promise((r) => capture?.close(r));
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

const podCreates = () => sim.sim.requests.filter((r) => r.verb === 'create' && r.resource === 'pods' && !r.subresource).map((r) => (r.body as { metadata?: { name?: string } })?.metadata?.name ?? r.name);
const text = (f: FeatureFiles, name: string) => f.get(name)?.content.toString('utf8');
const tagOf = (argv: string[] | undefined) => /name=[^,]+:(features-[0-9a-f]{32}),/.exec(argv?.join(' ') ?? '')?.[1];

const installA = '#!/bin/sh\nset -e\nmkdir -p /opt/up\necho "$GREETING from the upload" > /opt/up/a\n';
/** greeter-a lives in the config's folder; greeter-b is reached through a symlink that stays inside the upload. */
const folder = (a = installA): Record<string, Entry> => ({
  '.devcontainer/devcontainer.json': JSON.stringify({ image: base, features: { './greeter-a': { greeting: 'hola' }, './greeter-b': {} } }),
  '.devcontainer/greeter-a/devcontainer-feature.json': JSON.stringify({ id: 'greeter-a', options: { greeting: { type: 'string', default: 'hello' } }, containerEnv: { UP_A: 'yes' } }),
  '.devcontainer/greeter-a/install.sh': exe(a),
  '.devcontainer/greeter-b': { link: '../shared/greeter-b' },
  'shared/greeter-b/devcontainer-feature.json': JSON.stringify({ id: 'greeter-b', installsAfter: ['./greeter-a'] }),
  'shared/greeter-b/install.sh': exe('#!/bin/sh\nset -e\ncat /opt/up/a > /opt/up/b-saw\n'),
  'hello.txt': 'from the upload\n',
});

describe('local Features of an uploaded folder on a Kubernetes provider', () => {
  let image = '';
  let context: FeatureFiles;

  it('are read from the placed folder into the Features build context, and buildctl runs on it', async () => {
    const ws = await uploaded(folder());
    sim.sim.clearRequests();
    delete got.argv;
    const progress: string[] = [];
    // The fake buildctl pushes nothing, so the workspace pod cannot pull the image it was told about.
    const err = await driver.create(ws, (e) => progress.push(e.message)).catch((e: unknown) => e);
    const tag = tagOf(got.argv);
    expect(tag, `buildctl was not run: ${String(err)}; progress: ${progress.join(' | ')}`).toBeDefined();
    image = `${registry.host}/ws:${tag}`;
    expect((err as Error).message).toContain(image);
    context = await filesFromTar(got.context!);
    const dockerfile = text(context, 'Dockerfile')!;
    expect([...dockerfile.matchAll(/^COPY (\S+)/gm)].map((m) => m[1])).toEqual(['.workbay-features/1-greeter-a', '.workbay-features/2-greeter-b']);
    expect(text(context, '.workbay-features/1-greeter-a/install.sh')).toBe(installA);
    expect(context.get('.workbay-features/1-greeter-a/install.sh')!.mode & 0o111).not.toBe(0);
    expect(text(context, '.workbay-features/2-greeter-b/install.sh')).toContain('b-saw');
    expect(text(context, '.workbay-features/1-greeter-a/devcontainer-features.env')).toMatch(/^GREETING='hola'$/m);
    const n = kubeNames(ws.id);
    expect(podCreates()).toEqual(expect.arrayContaining([n.source, n.features, n.buildkit, n.pod]));
    expect(sim.sim.get('pods', 'kupfeat', n.features)).toBeUndefined();
  }, 240_000);

  it('that context built by a real engine and pushed under the computed tag is used: the workspace runs with the Features', async () => {
    expect(image, 'the previous test computed the tag').not.toBe('');
    const ctx = await tarOf(Object.fromEntries([...context].map(([k, f]) => [k, { content: f.content.toString('utf8'), mode: f.mode }])));
    await buildImage(docker, Readable.from([ctx]), { tag: image, dockerfile: 'Dockerfile', args: {}, labels: {} }, () => {});
    await push(image);
    // Only the registry has it now: kube-sim pulls it like a node would.
    await docker.getImage(image).remove({ force: true });
    const ws = await uploaded(folder());
    sim.sim.clearRequests();
    const progress: string[] = [];
    const obs = await driver.create(ws, (e) => progress.push(e.message));
    expect(obs.state).toBe('running');
    expect(progress).toContain(`using prebuild ${image} (Features ./greeter-a, ./greeter-b unchanged)`);
    expect(podCreates()).not.toContain(kubeNames(ws.id).buildkit);
    const sh = async (cmd: string) => (await driver.exec(ws, ['/bin/sh', '-c', cmd])).stdout;
    expect(await sh('cat /opt/up/a /opt/up/b-saw hello.txt; echo $UP_A')).toBe('hola from the upload\nhola from the upload\nfrom the upload\nyes\n');
  }, 300_000);

  it('a changed local Feature in a new upload is another tag: it is built again, not the prebuild reused', async () => {
    expect(image, 'the first test computed the tag').not.toBe('');
    const ws = await uploaded(folder(`${installA}echo changed >> /opt/up/a\n`));
    sim.sim.clearRequests();
    delete got.argv;
    const progress: string[] = [];
    const err = await driver.create(ws, (e) => progress.push(e.message)).catch((e: unknown) => e);
    const tag = tagOf(got.argv);
    expect(tag, `buildctl was not run: ${String(err)}`).toBeDefined();
    expect(`${registry.host}/ws:${tag}`).not.toBe(image);
    expect(progress.some((m) => m.startsWith('using prebuild'))).toBe(false);
    expect(text(await filesFromTar(got.context!), '.workbay-features/1-greeter-a/install.sh')).toContain('echo changed');
  }, 240_000);

  it('a "../escape" local Feature is refused naming it, before any Features, buildkit or workspace pod', async () => {
    const ws = await uploaded({
      '.devcontainer.json': JSON.stringify({ image: base, features: { '../escape': {} } }),
      'hello.txt': 'x\n',
    });
    sim.sim.clearRequests();
    const err = await driver.create(ws, () => {}).catch((e: unknown) => e);
    expect(isWorkbayError(err, 'config.invalid'), String(err)).toBe(true);
    expect((err as Error).message).toBe('Feature "../escape" points outside the workspace source');
    expect((err as { errors: { field: string }[] }).errors[0]!.field).toBe('features["../escape"]');
    const n = kubeNames(ws.id);
    for (const pod of [n.features, n.buildkit, n.pod]) expect(podCreates()).not.toContain(pod);
  }, 120_000);

  it('a local Feature folder that is a symlink out of the upload is refused, absolute or relative, before any build', async () => {
    for (const link of ['/etc', '../..']) {
      const ws = await uploaded({
        '.devcontainer/devcontainer.json': JSON.stringify({ image: base, features: { './evil': {} } }),
        '.devcontainer/evil': { link },
      });
      sim.sim.clearRequests();
      const err = await driver.create(ws, () => {}).catch((e: unknown) => e);
      expect(isWorkbayError(err, 'config.invalid'), `${link}: ${String(err)}`).toBe(true);
      expect((err as Error).message).toBe('Feature "./evil": the folder .devcontainer/evil leads outside the uploaded folder through a symlink');
      expect((err as { errors: { field: string }[] }).errors[0]!.field).toBe('features["./evil"]');
      const n = kubeNames(ws.id);
      for (const pod of [n.buildkit, n.pod]) expect(podCreates(), link).not.toContain(pod);
    }
  }, 180_000);
});
