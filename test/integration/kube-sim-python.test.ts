import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readWatch, startKubeSim, until, type KubeSim } from '../support/kube-sim';

const run = promisify(execFile);
const BUSYBOX = 'workbay-test/busybox:local';
// Debian's interpreter on purpose: python3-kubernetes installs into its dist-packages, not into a pyenv or venv.
const PYTHON = '/usr/bin/python3';
const KUBECTL = process.env.WORKBAY_TEST_KUBECTL ?? '/usr/bin/kubectl';
const WITNESS = fileURLToPath(new URL('../support/kube-sim-witness.py', import.meta.url));
const STEPS = ['create namespace', 'create pvc', 'create pod', 'watch until running', 'exec', 'logs', 'patch labels',
  'create rolebinding', 'read missing', 'create invalid', 'delete pod', 'delete namespace'];

/** The witness's objects as kubectl manifests. */
function manifests(ns: string, extraPodField = ''): string {
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: witness-data, namespace: ${ns}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: witness, namespace: ${ns}, labels: {app: witness}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1${extraPodField}
  containers:
  - name: main
    image: ${BUSYBOX}
    command: [sh, -c, "echo hello; exec sleep 3600"]
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: witness-data}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: witness-view, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: default, namespace: ${ns}}]
`;
}

describe('kube-sim answers clients we did not write: the official Python client, kubectl apply, raw HTTP', () => {
  let ks: KubeSim;
  let dir: string;
  let kubeconfig: string;
  const api = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${ks.url}${path}`, { ...init, headers: { Authorization: `Bearer ${ks.token}`, 'Content-Type': 'application/json', ...init.headers } });
  const post = (path: string, body: unknown): Promise<Response> => api(path, { method: 'POST', body: JSON.stringify(body) });
  const getJson = async (path: string): Promise<any> => (await api(path)).json();
  const kubectl = async (...args: string[]): Promise<{ out: string; code: number }> => {
    try {
      const r = await run(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), '--request-timeout', '20s', ...args], { timeout: 40_000 });
      return { out: r.stdout + r.stderr, code: 0 };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number };
      return { out: `${e.stdout ?? ''}${e.stderr ?? ''}`, code: Number(e.code ?? 1) };
    }
  };

  beforeAll(async () => {
    try {
      await run(PYTHON, ['-c', 'import kubernetes']);
    } catch {
      throw new Error(`${PYTHON} cannot import kubernetes: apt-get install -y --no-install-recommends python3-kubernetes`);
    }
    if (!existsSync(KUBECTL)) throw new Error(`${KUBECTL} is missing: apt-get install -y kubernetes-client`);
    ks = await startKubeSim({ dockerHost: inject('dockerHost'), watchBookmarkIntervalMs: 300 });
    dir = mkdtempSync(join(tmpdir(), 'kube-sim-python-'));
    kubeconfig = join(dir, 'kubeconfig');
    ks.writeKubeconfig(kubeconfig);
  });

  afterAll(async () => {
    await ks?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes every step of the Python witness: watch, exec, logs, patch, RBAC, 404, 422, deletes', async () => {
    const ns = `py-${Date.now().toString(36)}`;
    const result = await run(PYTHON, [WITNESS, kubeconfig, ns, BUSYBOX], { timeout: 120_000 }).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`the witness failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    });
    expect(result.stdout.trim().split('\n')).toEqual([...STEPS.map((s) => `ok ${s}`), 'witness passed']);
    const watches = ks.sim.requests.filter((r) => r.verb === 'watch' && r.resource === 'pods');
    expect(watches.map((r) => r.query.watch)).toEqual(['True', 'True']);
    expect(ks.sim.get('namespaces', undefined, ns)).toBeUndefined();
  });

  it('starts a pod created over plain HTTP with no further request: its controllers run on their own clock', async () => {
    const ns = `clock-${Date.now().toString(36)}`;
    expect((await post('/api/v1/namespaces', { metadata: { name: ns } })).status).toBe(201);
    expect((await post(`/api/v1/namespaces/${ns}/persistentvolumeclaims`, { metadata: { name: 'd' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } })).status).toBe(201);
    const pod = { metadata: { name: 'p' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'm', image: BUSYBOX, command: ['sleep', '600'], volumeMounts: [{ name: 'd', mountPath: '/d' }] }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'd' } }] } };
    expect((await post(`/api/v1/namespaces/${ns}/pods`, pod)).status).toBe(201);
    ks.sim.clearRequests();
    await until('pod Running without requests', async () => (ks.sim.get('pods', ns, 'p')?.status?.phase === 'Running' ? true : undefined));
    expect(ks.sim.get('persistentvolumeclaims', ns, 'd')?.status?.phase).toBe('Bound');
    expect(ks.sim.requests).toEqual([]);
    await api(`/api/v1/namespaces/${ns}`, { method: 'DELETE' });
    await until('namespace gone without requests', async () => (ks.sim.get('namespaces', undefined, ns) ? undefined : true), 30_000);
  });

  it('lets kubectl apply validate against its OpenAPI (no --validate=false), rejecting unknown fields', async () => {
    const ns = `apply-${Date.now().toString(36)}`;
    const file = join(dir, 'witness.yaml');
    writeFileSync(file, manifests(ns));
    ks.sim.clearRequests();
    const first = await kubectl('apply', '-f', file);
    expect(first, first.out).toMatchObject({ code: 0 });
    expect(first.out).toContain('pod/witness created');
    // kubectl >= 1.27 reads /openapi/v3 and leaves validation to the server (fieldValidation=Strict); older ones
    // (Debian's 1.20) validate client-side against the protobuf /openapi/v2.
    const openapi = ks.sim.requests.filter((r) => r.path.startsWith('/openapi/'));
    if (openapi.some((r) => r.path.startsWith('/openapi/v3/api/v1'))) {
      expect(ks.sim.requests.filter((r) => r.verb === 'create').map((r) => r.query.fieldValidation)).toEqual(['Strict', 'Strict', 'Strict', 'Strict']);
    } else {
      expect(openapi.map((r) => r.path)).toContain('/openapi/v2');
    }
    await until('applied pod Running', async () => (ks.sim.get('pods', ns, 'witness')?.status?.phase === 'Running' ? true : undefined));
    const again = await kubectl('apply', '-f', file);
    expect(again.out).toContain('pod/witness unchanged');
    // A strategic merge patch merges containers by name: the command the patch leaves out stays.
    const patched = await kubectl('patch', '-n', ns, 'pod', 'witness', '-p', `{"spec":{"containers":[{"name":"main","image":"${BUSYBOX}"}]}}`);
    expect(patched, patched.out).toMatchObject({ code: 0 });
    expect(ks.sim.get('pods', ns, 'witness')?.spec?.containers[0].command).toEqual(['sh', '-c', 'echo hello; exec sleep 3600']);

    writeFileSync(file, manifests(ns, '\n  bogusField: 1').replace('name: witness,', 'name: witness2,'));
    const bad = await kubectl('apply', '-f', file);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/unknown field "(spec\.)?bogusField"/);
    expect(ks.sim.get('pods', ns, 'witness2')).toBeUndefined();

    const explained = await kubectl('explain', 'pod.spec.volumes.persistentVolumeClaim');
    expect(explained.out).toContain('claimName');
    expect((await kubectl('delete', 'namespace', ns, '--wait=true')).code).toBe(0);
  });

  it('serves /openapi/v2 and /openapi/v3 documents that are valid OpenAPI and describe every served kind', async () => {
    const root = await getJson('/openapi/v3');
    expect(Object.keys(root.paths)).toEqual(['api/v1', 'apis/rbac.authorization.k8s.io/v1']);
    for (const doc of [await getJson(root.paths['api/v1'].serverRelativeURL), await getJson(root.paths['apis/rbac.authorization.k8s.io/v1'].serverRelativeURL), await getJson('/openapi/v2')]) {
      const result = await new Validator().validate(doc);
      expect(result.errors ?? []).toEqual([]);
    }
    const core = await getJson('/openapi/v3/api/v1');
    expect(core.components.schemas['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'Pod', version: 'v1' }]);
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
    const proto = await api('/openapi/v2', { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    expect(proto.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    expect(Buffer.from(await proto.arrayBuffer()).subarray(0, 5)).toEqual(Buffer.from([0x0a, 3, ...Buffer.from('2.0')]));
  });

  it('drops unknown fields with a warning by default (fieldValidation=Warn) and rejects them under Strict', async () => {
    const ns = `fv-${Date.now().toString(36)}`;
    await post('/api/v1/namespaces', { metadata: { name: ns } });
    const warned = await post(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'w' }, data: { k: 'v' }, colour: 'red' });
    expect(warned.status).toBe(201);
    expect(warned.headers.get('warning')).toBe('299 - "unknown field \\"colour\\""');
    expect(await warned.json()).not.toHaveProperty('colour');
    const strict = await post(`/api/v1/namespaces/${ns}/configmaps?fieldValidation=Strict`, { metadata: { name: 's' }, colour: 'red' });
    expect(strict.status).toBe(400);
    expect(((await strict.json()) as { message: string }).message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "colour"');
  });

  it('reads query booleans as the API server does and sends BOOKMARK events when allowed', async () => {
    const ns = `q-${Date.now().toString(36)}`;
    await post('/api/v1/namespaces', { metadata: { name: ns } });
    for (const v of ['True', 'TRUE', '1', 't']) {
      const w = await readWatch(ks.url, ks.token, `/api/v1/namespaces/${ns}/configmaps?watch=${v}&allowWatchBookmarks=${v}`, (e) => e.some((x) => x.type === 'BOOKMARK'), 5000);
      expect(w.events.find((x) => x.type === 'BOOKMARK')?.object.metadata.resourceVersion, `watch=${v}`).toMatch(/^\d+$/);
    }
    for (const v of ['false', 'False', '0']) {
      const list = await getJson(`/api/v1/namespaces/${ns}/configmaps?watch=${v}`);
      expect(list.kind, `watch=${v}`).toBe('ConfigMapList');
    }
    const timed = await readWatch(ks.url, ks.token, `/api/v1/namespaces/${ns}/configmaps?watch=1&timeoutSeconds=1`, () => false, 5000);
    expect(timed.ended).toBe(true);
    expect((await api(`/api/v1/namespaces/${ns}/configmaps?limit=ten`)).status).toBe(400);
  });

  it('applies strategic merge patches with the Go types\' merge strategies, unlike a JSON merge patch', async () => {
    const ns = `smp-${Date.now().toString(36)}`;
    await post('/api/v1/namespaces', { metadata: { name: ns } });
    await post(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'c', finalizers: ['example.com/a'] } });
    const patch = (type: string, body: unknown): Promise<any> =>
      api(`/api/v1/namespaces/${ns}/configmaps/c`, { method: 'PATCH', headers: { 'Content-Type': type }, body: JSON.stringify(body) }).then((r) => r.json());
    const merged = await patch('application/strategic-merge-patch+json', { metadata: { finalizers: ['example.com/b'] } });
    expect(merged.metadata.finalizers).toEqual(['example.com/a', 'example.com/b']);
    const removed = await patch('application/strategic-merge-patch+json', { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/a'] } });
    expect(removed.metadata.finalizers).toEqual(['example.com/b']);
    const replaced = await patch('application/merge-patch+json', { metadata: { finalizers: null } });
    expect(replaced.metadata.finalizers).toBeUndefined();
  });

  it('serves watch-list (sendInitialEvents), paged lists with continue, and exact resourceVersion reads', async () => {
    const ns = `page-${Date.now().toString(36)}`;
    await post('/api/v1/namespaces', { metadata: { name: ns } });
    const before = (await getJson(`/api/v1/namespaces/${ns}/configmaps`)).metadata.resourceVersion as string;
    for (const n of ['a', 'b', 'c', 'd', 'e']) await post(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: n }, data: { n } });

    const initial = await readWatch(ks.url, ks.token, `/api/v1/namespaces/${ns}/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
      (e) => e.some((x) => x.type === 'BOOKMARK'));
    expect(initial.events.map((e) => e.type)).toEqual(['ADDED', 'ADDED', 'ADDED', 'ADDED', 'ADDED', 'BOOKMARK']);
    expect(initial.events[5]!.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    const refused = await api(`/api/v1/namespaces/${ns}/configmaps?watch=true&sendInitialEvents=true`);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { message: string }).message).toContain('sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');

    const names: string[] = [];
    let next = `/api/v1/namespaces/${ns}/configmaps?limit=2`;
    const first = await getJson(next);
    expect(first.metadata.remainingItemCount).toBe(3);
    await post(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'f' } });
    for (let page = first; ; page = await getJson(next)) {
      names.push(...page.items.map((i: { metadata: { name: string } }) => i.metadata.name));
      if (!page.metadata.continue) break;
      next = `/api/v1/namespaces/${ns}/configmaps?limit=2&continue=${encodeURIComponent(page.metadata.continue)}`;
    }
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
    const old = await getJson(`/api/v1/namespaces/${ns}/configmaps?resourceVersion=${before}&resourceVersionMatch=Exact`);
    expect(old.items).toEqual([]);
    expect(old.metadata.resourceVersion).toBe(before);
    expect((await api(`/api/v1/namespaces/${ns}/configmaps?resourceVersion=999999999&resourceVersionMatch=NotOlderThan`)).status).toBe(504);
  });
});
