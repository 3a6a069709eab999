import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { captureBuildctl, type BuildctlCapture } from '../support/buildctl-capture';
import { buildImage } from '../../lib/drivers/docker/image';
import { resolveDevcontainer } from '../../lib/drivers';
import { kubeNames } from '../../lib/drivers/kubernetes';
import { prebuildTag } from '../../lib/drivers/kubernetes/image';
import { isWorkbayError } from '../../lib/errors';
import { filesFromTar, type FeatureFiles } from '../../lib/features';
import { testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';
import { startKubeSim, type KubeSim } from '../support/kube-sim';
import { kubeDriverFrom, kubeWorkspace } from '../support/kube-provider';
import { startRegistry, type Registry } from '../support/registry';

/**
 * Features on Kubernetes (issue 11, acceptance 1). No buildkit image exists offline, so the buildkit
 * pod runs a busybox image whose `buildctl` hands the context it was given to this test over HTTP
 * (the pod shares the host network in kube-sim); the test then builds that very context with the
 * real test engine and pushes it under the tag the driver computed, as buildkit would have.
 */
const IMAGE = 'workbay-test/busybox:local';
const docker = testDocker();
const dir = mkdtempSync(join(tmpdir(), 'workbay-kube-feat-'));
let sim: KubeSim;
let git: GitServer;
let registry: Registry;
let capture: Server;
let base = '';
let fakeBuildkit = '';
const got: BuildctlCapture = {};
const cleanups: (() => Promise<unknown>)[] = [];

const featureA = {
  'devcontainer-feature.json': JSON.stringify({
    id: 'greeter-a', version: '1.0.0', options: { greeting: { type: 'string', default: 'hello' } },
    containerEnv: { GREETER_A: 'installed', GREETER_PATH: '/opt/greeter:${PATH}' }, postCreateCommand: 'echo feature-a:$((1+1)) >> /tmp/hooks',
  }),
  'install.sh': '#!/bin/sh\nset -e\nmkdir -p /opt/greeter\necho "$GREETING from $_REMOTE_USER" > /opt/greeter/a\necho a >> /opt/greeter/order\necho "$GREETER_A" > /opt/greeter/a-own-env\n',
};
const featureB = {
  'devcontainer-feature.json': JSON.stringify({ id: 'greeter-b', version: '1.0.0', dependsOn: { './greeter-a': { greeting: 'hola' } } }),
  'install.sh': '#!/bin/sh\nset -e\ntest -f /opt/greeter/a\necho b >> /opt/greeter/order\necho "$GREETER_A" > /opt/greeter/b-saw\n',
};
const files = (prefix: string, f: Record<string, string>) => Object.fromEntries(Object.entries(f).map(([k, v]) => [`${prefix}/${k}`, v]));

async function tarOf(entries: Record<string, { content: string; mode: number }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, e] of Object.entries(entries)) pack.entry({ name, mode: e.mode }, e.content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function push(image: string): Promise<void> {
  const stream = await docker.getImage(image).push({ authconfig: { serveraddress: registry.host } } as never);
  await new Promise((resolve, reject) => docker.modem.followProgress(stream as unknown as NodeJS.ReadableStream, (e: unknown, out: { error?: string }[]) => {
    const failed = out?.find((o) => o.error);
    return e || failed ? reject(e ?? new Error(failed!.error)) : resolve(undefined);
  }));
}

async function follow(stream: NodeJS.ReadableStream): Promise<void> {
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (e: unknown) => (e ? reject(e) : resolve(undefined))));
}

beforeAll(async () => {
  sim = await startKubeSim({ dockerHost: inject('dockerHost') });
  sim.writeKubeconfig(join(dir, 'kubeconfig'));
  git = await startGitServer();
  registry = await startRegistry();
  let port: number;
  ({ server: capture, port } = await captureBuildctl(got));
  // The base comes from the local registry with a label of its own, so its config is read as a cluster would pull it.
  const c = await docker.createContainer({ Image: IMAGE, Cmd: ['true'] });
  base = `${registry.host}/base/busybox:1`;
  await c.commit({ repo: `${registry.host}/base/busybox`, tag: '1', changes: ['LABEL devcontainer.metadata="[{\\"id\\":\\"base\\",\\"remoteEnv\\":{\\"FROM_BASE\\":\\"yes\\"}}]"'] } as never);
  await c.remove();
  await push(base);
  const buildctl = [
    '#!/bin/sh', 'set -e',
    'for a in "$@"; do case "$a" in context=*) ctx="${a#context=}";; dockerfile=*) df="${a#dockerfile=}";; esac; done',
    'printf "%s\\n" "$@" > /tmp/argv', 'tar -C "$ctx" -cf - . | base64 > /tmp/context', 'tar -C "$df" -cf - . | base64 > /tmp/dockerfile',
    ...['argv', 'context', 'dockerfile'].map((n) => `wget -q -O /dev/null --post-file=/tmp/${n} http://127.0.0.1:${port}/${n}`),
    'echo fake buildctl done', '',
  ].join('\n');
  fakeBuildkit = `workbay-test/fake-buildkit:${port}`;
  const context = await tarOf({
    Dockerfile: { content: `FROM ${IMAGE}\nCOPY buildctl /bin/buildctl\nENTRYPOINT ["/bin/sh", "-c", "trap 'exit 0' 15; while sleep 1 & wait $!; do :; done", "buildkitd"]\n`, mode: 0o644 },
    buildctl: { content: buildctl, mode: 0o755 },
  });
  await follow(await docker.buildImage(Readable.from([context]) as never, { t: fakeBuildkit, networkmode: 'host' } as never) as unknown as NodeJS.ReadableStream);
}, 120_000);

afterAll(async () => {
  for (const c of cleanups) await c().catch(() => undefined);
  await sim?.close();
  await git?.close();
  await registry?.close();
  await new Promise((r) => capture?.close(r));
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

const provider = () => `name: kfeat\ndriver: kubernetes\nconfig: ${join(dir, 'kubeconfig')}\ncontext: kube-sim\nnamespace: kfeat\ncreateNamespace: true\nbuildRepository: ${registry.host}/ws\nbuildkitImage: ${fakeBuildkit}\n`;
const podCreates = () => sim.sim.requests.filter((r) => r.verb === 'create' && r.resource === 'pods' && !r.subresource).map((r) => (r.body as { metadata?: { name?: string } })?.metadata?.name ?? r.name);
const text = (f: FeatureFiles, name: string) => f.get(name)?.content.toString('utf8');

describe('Features on a Kubernetes provider, through the buildkit pod', () => {
  let url = '';
  let image = '';
  let context: FeatureFiles;
  beforeAll(() => {
    url = git.repo('kube-features', {
      // greeter-b is listed first: its dependsOn must still put greeter-a before it.
      '.devcontainer/devcontainer.json': JSON.stringify({
        image: base, features: { './greeter-b': {}, './greeter-a': { greeting: 'hola' } }, postCreateCommand: 'echo config >> /tmp/hooks',
      }),
      ...files('.devcontainer/greeter-a', featureA),
      ...files('.devcontainer/greeter-b', featureB),
    });
  });

  it('generates the Features build in the PVC and runs buildctl on it in the buildkit pod', async () => {
    const d = await kubeDriverFrom(provider());
    const ws = kubeWorkspace({ source: { git: { url } } });
    cleanups.push(() => d.delete(ws));
    sim.sim.clearRequests();
    const progress: string[] = [];
    // The fake buildctl pushes nothing, so the workspace pod cannot pull the image it was told about.
    const err = await d.create(ws, (e) => progress.push(e.message)).catch((e: unknown) => e);
    expect(got.argv, `buildctl was not run; progress: ${progress.join(' | ')}`).toBeDefined();
    const tag = /name=[^,]+:(features-[0-9a-f]{32}),/.exec(got.argv!.join(' '))?.[1];
    expect(tag).toBeDefined();
    image = `${registry.host}/ws:${tag}`;
    expect((err as Error).message).toContain(image);
    expect(got.argv).toEqual(['build', '--frontend', 'dockerfile.v0', '--local', `context=/workbay-build/${tag}`, '--local', `dockerfile=/workbay-build/${tag}`,
      '--opt', 'filename=Dockerfile', '--output', `type=image,name=${image},push=true,registry.insecure=true`]);
    context = await filesFromTar(got.context!);
    expect(await filesFromTar(got.dockerfile!)).toEqual(context);
    const dockerfile = text(context, 'Dockerfile')!;
    expect(dockerfile.split('\n').slice(0, 4)).toEqual([`FROM ${base}`, 'USER root', 'ENV GREETER_A="installed"', 'ENV GREETER_PATH="/opt/greeter:${PATH}"']);
    expect([...dockerfile.matchAll(/^COPY (\S+)/gm)].map((m) => m[1])).toEqual(['.workbay-features/1-greeter-a', '.workbay-features/2-greeter-b']);
    expect(dockerfile).toMatch(/^LABEL devcontainer\.metadata=".*\\"id\\":\\"base\\".*\\"id\\":\\"\.\/greeter-a\\".*\\"id\\":\\"\.\/greeter-b\\"/m);
    expect(text(context, '.workbay-features/1-greeter-a/install.sh')).toBe(featureA['install.sh']);
    expect(text(context, '.workbay-features/2-greeter-b/devcontainer-feature.json')).toBe(featureB['devcontainer-feature.json']);
    expect(text(context, '.workbay-features/1-greeter-a/devcontainer-features.env')).toMatch(/^GREETING='hola'$/m);
    const n = kubeNames(ws.id);
    expect(podCreates()).toEqual(expect.arrayContaining([n.source, n.features, n.buildkit, n.pod]));
    expect(sim.sim.get('pods', 'kfeat', n.buildkit)).toBeUndefined();
    expect(sim.sim.get('pods', 'kfeat', n.features)).toBeUndefined();
  }, 240_000);

  it('that context built by a real engine and pushed under the computed tag is reused: no buildkit pod, both Features in the pod', async () => {
    expect(image, 'the previous test computed the tag').not.toBe('');
    const ctx = await tarOf(Object.fromEntries([...context].map(([k, f]) => [k, { content: f.content.toString('utf8'), mode: f.mode }])));
    await buildImage(docker, Readable.from([ctx]), { tag: image, dockerfile: 'Dockerfile', args: {}, labels: {} }, () => {});
    const label = JSON.parse((await docker.getImage(image).inspect()).Config.Labels['devcontainer.metadata']!) as { id: string; postCreateCommand?: string }[];
    expect(label.map((e) => e.id)).toEqual(['base', './greeter-a', './greeter-b']);
    expect(label[1]!.postCreateCommand).toBe('echo feature-a:$((1+1)) >> /tmp/hooks');
    await push(image);
    // Only the registry has it now: kube-sim pulls it like a node would.
    await docker.getImage(image).remove({ force: true });
    const d = await kubeDriverFrom(provider());
    for (const round of [1, 2]) {
      const ws = kubeWorkspace({ source: { git: { url } } });
      cleanups.push(() => d.delete(ws));
      sim.sim.clearRequests();
      const progress: string[] = [];
      const obs = await d.create(ws, (e) => progress.push(e.message));
      expect(obs.state).toBe('running');
      const n = kubeNames(ws.id);
      expect(podCreates(), `round ${round}`).not.toContain(n.buildkit);
      expect(progress).toContain(`using prebuild ${image} (Features ./greeter-a, ./greeter-b unchanged)`);
      expect((sim.sim.get('pods', 'kfeat', n.pod) as unknown as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image).toBe(image);
      const sh = async (cmd: string) => (await d.exec(ws, ['/bin/sh', '-c', cmd])).stdout;
      expect(await sh('cat /opt/greeter/order')).toBe('a\nb\n');
      expect(await sh('cat /opt/greeter/a')).toBe('hola from root\n');
      expect(await sh('cat /opt/greeter/a-own-env /opt/greeter/b-saw; echo $GREETER_A')).toBe('installed\ninstalled\ninstalled\n');
      // The Feature's hook before the config's own; the base image's remoteEnv applies to exec.
      expect(await sh('cat /tmp/hooks; echo $FROM_BASE')).toBe('feature-a:2\nconfig\nyes\n');
      // As on Docker, a Feature's containerEnv is the image's ENV (expanded there), not a raw pod env value.
      expect(await sh('echo $GREETER_PATH')).toBe('/opt/greeter:/bin\n');
      const pod = sim.sim.get('pods', 'kfeat', n.pod) as unknown as { metadata: { annotations: Record<string, string> } };
      expect((JSON.parse(pod.metadata.annotations['devcontainer.metadata']!) as { id: string }[]).map((e) => e.id)).toEqual(['base', './greeter-a', './greeter-b', 'workbay']);
    }
  }, 300_000);

  it('a Dockerfile base is built (here: its prebuild reused) first, then the Features go on top of it', async () => {
    const text0 = JSON.stringify({ build: { dockerfile: 'Dockerfile' }, features: { './greeter-a': {} } });
    const repo = git.repo('kube-features-dockerfile', {
      '.devcontainer/devcontainer.json': text0, '.devcontainer/Dockerfile': `FROM ${base}\n`, ...files('.devcontainer/greeter-a', featureA),
    });
    const ws = kubeWorkspace({ source: { git: { url: repo } } });
    const baseTag = prebuildTag(process.arch === 'arm64' ? 'arm64' : 'amd64', resolveDevcontainer(ws, text0, '.devcontainer'), git.commitOf(repo));
    const prebuilt = `${registry.host}/ws:${baseTag}`;
    await docker.getImage(base).tag({ repo: `${registry.host}/ws`, tag: baseTag });
    await push(prebuilt);
    const d = await kubeDriverFrom(provider());
    cleanups.push(() => d.delete(ws));
    sim.sim.clearRequests();
    delete got.argv;
    const err = await d.create(ws, () => {}).catch((e: unknown) => e);
    expect(got.argv, String(err)).toBeDefined();
    const ctx = await filesFromTar(got.context!);
    expect(text(ctx, 'Dockerfile')!.split('\n')[0]).toBe(`FROM ${prebuilt}`);
    // The prebuilt base's config was read from the registry: its label entry leads the Features'.
    expect(text(ctx, 'Dockerfile')).toMatch(/^LABEL devcontainer\.metadata=".*\\"id\\":\\"base\\".*\\"id\\":\\"\.\/greeter-a\\"/m);
    expect(podCreates().filter((p) => p === kubeNames(ws.id).buildkit)).toHaveLength(1);
  }, 240_000);

  it('a Feature asking for privileged is refused by the default policy before any buildkit or workspace pod', async () => {
    const bad = git.repo('kube-features-priv', {
      '.devcontainer/devcontainer.json': JSON.stringify({ image: base, features: { './dind': {} } }),
      ...files('.devcontainer/dind', { 'devcontainer-feature.json': JSON.stringify({ id: 'dind', privileged: true }), 'install.sh': '#!/bin/sh\ntouch /installed\n' }),
    });
    const d = await kubeDriverFrom(provider());
    const ws = kubeWorkspace({ source: { git: { url: bad } } });
    cleanups.push(() => d.delete(ws));
    sim.sim.clearRequests();
    const err = await d.create(ws, () => {}).catch((e: unknown) => e);
    expect(isWorkbayError(err, 'policy.denied')).toBe(true);
    expect((err as Error).message).toContain('features["./dind"].privileged');
    const n = kubeNames(ws.id);
    expect(podCreates()).not.toContain(n.buildkit);
    expect(podCreates()).not.toContain(n.pod);
  }, 120_000);

  it('a Feature folder of the clone that is a symlink inside the repository is followed; one out of it is refused naming the link', async () => {
    const repo = git.repo('kube-features-linked', {
      '.devcontainer/devcontainer.json': JSON.stringify({ image: base, features: { './linked': {} } }),
      ...files('.devcontainer/greeter-a', featureA),
      '.devcontainer/linked': { link: 'greeter-a' },
    });
    const d = await kubeDriverFrom(provider());
    const ws = kubeWorkspace({ source: { git: { url: repo } } });
    cleanups.push(() => d.delete(ws));
    delete got.argv;
    const err = await d.create(ws, () => {}).catch((e: unknown) => e);
    expect(got.argv, String(err)).toBeDefined();
    const ctx = await filesFromTar(got.context!);
    expect(text(ctx, '.workbay-features/1-greeter-a/install.sh'), [...ctx.keys()].join(' ')).toBe(featureA['install.sh']);

    const evil = git.repo('kube-features-out', {
      '.devcontainer/devcontainer.json': JSON.stringify({ image: base, features: { './out/etc': {} } }),
      '.devcontainer/out': { link: '/' },
    });
    const bad = kubeWorkspace({ source: { git: { url: evil } } });
    cleanups.push(() => d.delete(bad));
    sim.sim.clearRequests();
    const refused = await d.create(bad, () => {}).catch((e: unknown) => e);
    expect(isWorkbayError(refused, 'config.invalid')).toBe(true);
    expect((refused as Error).message).toBe('Feature "./out/etc": the folder .devcontainer/out/etc leads outside the repository through the symlink .devcontainer/out');
    expect(podCreates()).not.toContain(kubeNames(bad.id).buildkit);
  }, 240_000);

  it('a provider without buildRepository says Features need one, naming them', async () => {
    const d = await kubeDriverFrom(provider().replace(/^buildRepository:.*\n/m, ''));
    const ws = kubeWorkspace({ source: { git: { url } } });
    cleanups.push(() => d.delete(ws));
    const err = await d.create(ws, () => {}).catch((e: unknown) => e);
    expect(isWorkbayError(err, 'config.invalid')).toBe(true);
    expect((err as Error).message).toMatch(/no buildRepository: \.\/greeter-b, \.\/greeter-a$/);
  }, 120_000);
});
