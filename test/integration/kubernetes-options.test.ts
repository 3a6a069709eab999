import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { resolveDevcontainer } from '../../lib/drivers';
import { loadProvider } from '../../lib/config';
import { kubeNames, loadKube } from '../../lib/drivers/kubernetes';
import { localSecrets } from '../../lib/secrets';
import { prebuildTag } from '../../lib/drivers/kubernetes/image';
import { isWorkbayError } from '../../lib/errors';
import { testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';
import { startKubeSim, type KubeSim } from '../support/kube-sim';
import { kubeDriverFrom, kubeWorkspace } from '../support/kube-provider';
import { startRegistry, type Registry } from '../support/registry';

let sim: KubeSim;
let git: GitServer;
let registry: Registry;
const dir = mkdtempSync(join(tmpdir(), 'workbay-kube-opts-'));
const kubeconfig = join(dir, 'kubeconfig');
const IMAGE = 'workbay-test/busybox:local';
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  sim = await startKubeSim({ dockerHost: inject('dockerHost') });
  git = await startGitServer();
  registry = await startRegistry();
  // A second context pointing at the same server with its own namespace, and a broken one first.
  const kc = parse(sim.kubeconfig);
  kc.clusters.push({ name: 'nowhere', cluster: { server: 'http://127.0.0.1:1' } });
  kc.contexts.push({ name: 'other', context: { cluster: kc.contexts[0].context.cluster, user: kc.contexts[0].context.user, namespace: 'ctx-ns' } });
  kc.contexts.push({ name: 'broken', context: { cluster: 'nowhere', user: kc.contexts[0].context.user } });
  kc['current-context'] = 'broken';
  writeFileSync(kubeconfig, stringify(kc));
}, 60_000);

afterAll(async () => {
  for (const c of cleanups) await c().catch(() => undefined);
  await sim?.close();
  await git?.close();
  await registry?.close();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

const base = (extra = '') => `name: opts\ndriver: kubernetes\nconfig: ${kubeconfig}\ncontext: kube-sim\ncreateNamespace: true\n${extra}`;
const podCreates = () => sim.sim.requests.filter((r) => r.verb === 'create' && r.resource === 'pods');

async function up(yaml: string, ws = kubeWorkspace(), env: Record<string, string> = {}) {
  const d = await kubeDriverFrom(yaml, env);
  cleanups.push(() => d.delete(ws));
  return { d, ws, obs: await d.create(ws, () => {}) };
}

describe('each Kubernetes option changes what reaches the API server', () => {
  it('path: the kubectl named in connection info', async () => {
    const { d, ws } = await up(base('path: /opt/bin/kubectl\nnamespace: opt-path\n'));
    expect((await d.connection(ws)).attach.slice(0, 2)).toEqual(['/opt/bin/kubectl', 'exec']);
  }, 60_000);

  it('namespace: every object goes there', async () => {
    const { ws } = await up(base('namespace: team-a\n'));
    expect(sim.sim.get('pods', 'team-a', kubeNames(ws.id).pod)).toBeDefined();
    expect(sim.sim.get('persistentvolumeclaims', 'team-a', kubeNames(ws.id).pvc)).toBeDefined();
  }, 60_000);

  it('context: picks the cluster and its namespace (the current context is broken)', async () => {
    const { ws } = await up(`name: ctx\ndriver: kubernetes\nconfig: ${kubeconfig}\ncontext: other\ncreateNamespace: true\n`);
    expect(sim.sim.get('pods', 'ctx-ns', kubeNames(ws.id).pod)).toBeDefined();
    const err = await kubeDriverFrom(base().replace('context: kube-sim', 'context: missing')).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/kube context "missing" is not in kubeconfig file:\//);
  }, 60_000);

  it('config: a file path or a secret reference; a bad one is a clear error', async () => {
    const { ws } = await up(`name: cfg\ndriver: kubernetes\nconfig: env:KUBECFG\ncontext: kube-sim\nnamespace: from-secret\ncreateNamespace: true\n`, kubeWorkspace(), { KUBECFG: sim.kubeconfig });
    expect(sim.sim.get('pods', 'from-secret', kubeNames(ws.id).pod)).toBeDefined();
    const err = await kubeDriverFrom(base().replace(kubeconfig, '/nonexistent/kubeconfig')).catch((e: unknown) => e);
    expect(isWorkbayError(err, 'config.invalid')).toBe(true);
    expect((err as Error).message).toMatch(/agent.kubernetes.config/);
  }, 60_000);

  it('clusterRole: a RoleBinding to that ClusterRole for a service account workbay creates', async () => {
    const { ws } = await up(base('namespace: rbac\nclusterRole: view\n'));
    const n = kubeNames(ws.id);
    const rb = sim.sim.get('rolebindings', 'rbac', n.roleBinding) as any;
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' });
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: n.serviceAccount, namespace: 'rbac' }]);
    expect(sim.sim.get('serviceaccounts', 'rbac', n.serviceAccount)).toBeDefined();
    expect((sim.sim.get('pods', 'rbac', n.pod) as any).spec.serviceAccountName).toBe(n.serviceAccount);
  }, 60_000);

  it('serviceAccount: the pod runs as it, and a clusterRole binds it (no account is created)', async () => {
    // The named account is the cluster admin's, as on the page: it must exist already.
    const { core } = await loadKube(loadProvider(base()).agent.kubernetes as never, { secrets: localSecrets({}) });
    await core.createNamespace({ body: { metadata: { name: 'sa' } } });
    await core.createNamespacedServiceAccount({ namespace: 'sa', body: { metadata: { name: 'builder' } } });
    const { ws } = await up(base('namespace: sa\nserviceAccount: builder\nclusterRole: edit\n'));
    const n = kubeNames(ws.id);
    expect((sim.sim.get('pods', 'sa', n.pod) as any).spec.serviceAccountName).toBe('builder');
    expect((sim.sim.get('rolebindings', 'sa', n.roleBinding) as any).subjects[0].name).toBe('builder');
    expect(sim.sim.get('serviceaccounts', 'sa', n.serviceAccount)).toBeUndefined();
  }, 60_000);

  it('persistentVolumeSize: the PVC request', async () => {
    const { ws } = await up(base('namespace: pvc\npersistentVolumeSize: 20Gi\n'));
    expect((sim.sim.get('persistentvolumeclaims', 'pvc', kubeNames(ws.id).pvc) as any).spec.resources.requests.storage).toBe('20Gi');
  }, 60_000);

  it('createNamespace: true creates it; false on a missing namespace fails clearly and creates nothing', async () => {
    await up(base('namespace: made-for-me\n'));
    expect(sim.sim.get('namespaces', undefined, 'made-for-me')).toBeDefined();
    const d = await kubeDriverFrom(base('namespace: not-there\n').replace('createNamespace: true', 'createNamespace: false'));
    const ws = kubeWorkspace();
    const err = await d.create(ws, () => {}).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/namespace "not-there" does not exist and the provider has createNamespace: false/);
    expect(sim.sim.get('namespaces', undefined, 'not-there')).toBeUndefined();
    expect(sim.sim.list('persistentvolumeclaims', 'not-there')).toEqual([]);
  }, 60_000);

  describe('Dockerfile workspaces: buildRepository, helperImage, buildkitImage, buildkitPrivileged', () => {
    const repo = () => git.repo(`dockerfile-${Math.random().toString(36).slice(2, 8)}`, {
      '.devcontainer/devcontainer.json': JSON.stringify({ build: { dockerfile: 'Dockerfile' } }),
      '.devcontainer/Dockerfile': `FROM ${IMAGE}\nRUN echo built > /flavour\n`,
    });

    it('buildRepository empty: a clear error when a build is needed', async () => {
      const d = await kubeDriverFrom(base('namespace: build-none\nbuildRepository: ""\n'));
      const ws = kubeWorkspace({ source: { git: { url: repo() } } });
      cleanups.push(() => d.delete(ws));
      const err = await d.create(ws, () => {}).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/needs an image build, but the provider has no buildRepository/);
    }, 60_000);

    it('helperImage runs the architecture detection pod when nodes cannot be read; buildkitPrivileged decides the buildkit pod', async () => {
      sim.sim.hideNodes = true;
      try {
        for (const privileged of [true, false]) {
          sim.sim.clearRequests();
          const d = await kubeDriverFrom(base(`namespace: build-${privileged}\nbuildRepository: ${registry.host}/ws\nhelperImage: ${IMAGE}\nbuildkitImage: workbay-test/buildkit:absent\nbuildkitPrivileged: ${privileged}\n`));
          const ws = kubeWorkspace({ source: { git: { url: repo() } } });
          cleanups.push(() => d.delete(ws));
          const err = await d.create(ws, () => {}).catch((e: unknown) => e);
          expect((err as Error).message).toMatch(/buildkit pod could not start: image "workbay-test\/buildkit:absent" could not be pulled/);
          const bodies = podCreates().map((r) => r.body as any);
          const arch = bodies.find((b) => b.metadata.name === kubeNames(ws.id).arch);
          expect(arch.spec.containers[0].image).toBe(IMAGE);
          const bk = bodies.find((b) => b.metadata.name === kubeNames(ws.id).buildkit);
          expect(bk.spec.containers[0].image).toBe('workbay-test/buildkit:absent');
          if (privileged) expect(bk.spec.containers[0].securityContext).toEqual({ privileged: true });
          else expect(bk.spec.containers[0].securityContext).toMatchObject({ runAsUser: 1000, seccompProfile: { type: 'Unconfined' } });
          expect(sim.sim.get('pods', `build-${privileged}`, kubeNames(ws.id).buildkit)).toBeUndefined();
        }
      } finally {
        sim.sim.hideNodes = false;
      }
    }, 120_000);

    it('an existing prebuild tag in buildRepository is reused without building', async () => {
      const url = repo();
      const ws = kubeWorkspace({ source: { git: { url } } });
      const d = await kubeDriverFrom(base(`namespace: prebuilt\nbuildRepository: ${registry.host}/ws\n`));
      cleanups.push(() => d.delete(ws));
      // Learn the commit the source pod will see, then push an image under the prebuild tag.
      const commit = git.commitOf(url);
      const resolved = resolveDevcontainer(ws, JSON.stringify({ build: { dockerfile: 'Dockerfile' } }), '.devcontainer');
      const tag = prebuildTag(process.arch === 'arm64' ? 'arm64' : 'amd64', resolved, commit);
      const docker = testDocker();
      const image = `${registry.host}/ws:${tag}`;
      await docker.getImage(IMAGE).tag({ repo: `${registry.host}/ws`, tag });
      const push = await docker.getImage(image).push({ authconfig: { serveraddress: registry.host } } as never);
      await new Promise((resolve, reject) => docker.modem.followProgress(push as unknown as NodeJS.ReadableStream, (e: unknown) => (e ? reject(e) : resolve(undefined))));
      sim.sim.clearRequests();
      const obs = await d.create(ws, () => {});
      expect(obs.state).toBe('running');
      expect((sim.sim.get('pods', 'prebuilt', kubeNames(ws.id).pod) as any).spec.containers[0].image).toBe(image);
      expect(podCreates().length).toBeGreaterThan(0);
      expect(podCreates().map((r) => (r.body as any)?.metadata?.name ?? r.name)).not.toContain(kubeNames(ws.id).buildkit);
    }, 120_000);
  });
});
