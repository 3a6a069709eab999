import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { CoreV1Api, Exec, KubeConfig, RbacAuthorizationV1Api, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startKubeSim, statusOf, until, type KubeSim } from '../support/kube-sim';

const BUSYBOX = 'workbay-test/busybox:local';
// CI installs Debian's kubernetes-client (kubectl 1.20, exec over SPDY); newer ones exec over WebSocket.
const KUBECTL = process.env.WORKBAY_TEST_KUBECTL ?? '/usr/bin/kubectl';
const run = promisify(execFile);

function clientsFor(kubeconfig: string): { kc: KubeConfig; core: CoreV1Api; rbac: RbacAuthorizationV1Api } {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return { kc, core: kc.makeApiClient(CoreV1Api), rbac: kc.makeApiClient(RbacAuthorizationV1Api) };
}

async function execIn(kc: KubeConfig, ns: string, pod: string, command: string[]): Promise<{ stdout: string; stderr: string; status: V1Status }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ended = Promise.all([new Promise((r) => stdout.on('end', r)), new Promise((r) => stderr.on('end', r))]);
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(kc).exec(ns, pod, 'main', command, stdout, stderr, null, false, resolve).catch(reject);
  });
  await ended;
  return { stdout: out, stderr: err, status };
}

function exitCode(status: V1Status): number {
  if (status.status === 'Success') return 0;
  return Number(status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message);
}

function busyboxPod(name: string, claim: string, labels: Record<string, string> = {}): V1Pod {
  return {
    metadata: { name, labels },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      containers: [{
        name: 'main', image: BUSYBOX, command: ['sh', '-c', 'echo started; exec sleep 3600'],
        volumeMounts: [{ name: 'ws', mountPath: '/workspace', subPath: 'devpod/0' }],
      }],
      volumes: [{ name: 'ws', persistentVolumeClaim: { claimName: claim } }],
    },
  };
}

describe('kube-sim: a Kubernetes API server backed by the test Docker engine', () => {
  let ks: KubeSim;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let rbac: RbacAuthorizationV1Api;
  const ns = `ks-${Date.now().toString(36)}`;

  const waitRunning = (name: string): Promise<V1Pod> =>
    until(`pod ${name} Running`, async () => {
      const p = await core.readNamespacedPod({ namespace: ns, name });
      return p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready ? p : undefined;
    });
  const waitGone = (name: string): Promise<true> =>
    until(`pod ${name} gone`, async () => {
      const s = await statusOf(core.readNamespacedPod({ namespace: ns, name }));
      return s.code === 404 ? true : undefined;
    });

  beforeAll(async () => {
    ks = await startKubeSim({ dockerHost: inject('dockerHost') });
    ({ kc, core, rbac } = clientsFor(ks.kubeconfig));
  });

  afterAll(async () => {
    await ks?.close();
  });

  it('creates a namespace (with its default ServiceAccount) and a PVC that becomes Bound', async () => {
    const created = await core.createNamespace({ body: { metadata: { name: ns } } });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.status?.phase).toBe('Active');
    expect((await core.listNamespace()).items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', ns]));
    await until('default service account', () => core.readNamespacedServiceAccount({ namespace: ns, name: 'default' }));

    await core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: { metadata: { name: 'data', labels: { k: 'v' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    });
    const bound = await until('PVC Bound', async () => {
      const pvc = await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'data' });
      return pvc.status?.phase === 'Bound' ? pvc : undefined;
    });
    expect(bound.spec?.volumeName).toMatch(/^pvc-/);
    expect(bound.status?.capacity?.storage).toBe('1Gi');
    expect(ks.sim.pvcVolumeName(ns, 'data')).toBe(`kube-sim-pvc-${ns}-data`);
  });

  it('runs a pod as a real container: exec with exit code, logs, and PVC data surviving pod re-creation', async () => {
    await core.createNamespacedPod({ namespace: ns, body: busyboxPod('ws', 'data', { k: 'v' }) });
    const pod = await waitRunning('ws');
    expect(pod.spec?.nodeName).toBe('kube-sim');
    expect(pod.status?.containerStatuses?.[0]?.state?.running?.startedAt).toBeTruthy();
    expect((await ks.sim.podContainers(ns, 'ws')).map((c) => c.State)).toEqual(['running']);

    const hi = await execIn(kc, ns, 'ws', ['sh', '-c', 'echo hi; echo oops >&2; exit 3']);
    expect(hi.stdout).toBe('hi\n');
    expect(hi.stderr).toBe('oops\n');
    expect(hi.status.reason).toBe('NonZeroExitCode');
    expect(exitCode(hi.status)).toBe(3);

    const write = await execIn(kc, ns, 'ws', ['sh', '-c', 'echo persisted > /workspace/file && cat /workspace/file']);
    expect(exitCode(write.status)).toBe(0);
    expect(write.stdout).toBe('persisted\n');

    expect(await core.readNamespacedPodLog({ namespace: ns, name: 'ws', container: 'main' })).toBe('started\n');
    expect(await core.readNamespacedPodLog({ namespace: ns, name: 'ws', tailLines: 1 })).toBe('started\n');

    const deleting = await core.deleteNamespacedPod({ namespace: ns, name: 'ws' });
    expect(deleting.metadata?.deletionTimestamp).toBeTruthy();
    await waitGone('ws');
    expect(await ks.sim.podContainers(ns, 'ws')).toEqual([]);

    await core.createNamespacedPod({ namespace: ns, body: busyboxPod('ws', 'data', { k: 'v' }) });
    await waitRunning('ws');
    const again = await execIn(kc, ns, 'ws', ['cat', '/workspace/file']);
    expect(again.stdout).toBe('persisted\n');
  });

  it('filters lists by label selector (=, !=, in, notin, exists, !exists)', async () => {
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 's1', labels: { k: 'v', tier: 'a' } }, stringData: { token: 'x' } } });
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 's2', labels: { k: 'w' } } } });
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 's3' } } });
    const names = async (labelSelector: string): Promise<string[]> =>
      (await core.listNamespacedSecret({ namespace: ns, labelSelector })).items.map((s) => s.metadata!.name!).sort();
    expect(await names('k=v')).toEqual(['s1']);
    expect(await names('k!=v')).toEqual(['s2', 's3']);
    expect(await names('k in (v,w)')).toEqual(['s1', 's2']);
    expect(await names('k notin (v)')).toEqual(['s2', 's3']);
    expect(await names('k')).toEqual(['s1', 's2']);
    expect(await names('!k')).toEqual(['s3']);
    expect(await names('k=v,tier=a')).toEqual(['s1']);
    expect((await core.readNamespacedSecret({ namespace: ns, name: 's1' })).data).toEqual({ token: Buffer.from('x').toString('base64') });
    expect((await core.listNamespacedPod({ namespace: ns, labelSelector: 'k=v' })).items.map((p) => p.metadata?.name)).toEqual(['ws']);
  });

  it('answers with real Status objects: 404, 409 AlreadyExists, 409 Conflict, 422 Invalid, 404 for a missing namespace', async () => {
    const missing = await statusOf(core.readNamespacedPod({ namespace: ns, name: 'nope' }));
    expect(missing).toMatchObject({ code: 404, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', message: 'pods "nope" not found', details: { name: 'nope', kind: 'pods' }, code: 404 } });

    const dup = await statusOf(core.createNamespacedPersistentVolumeClaim({
      namespace: ns, body: { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    }));
    expect(dup).toMatchObject({ code: 409, body: { reason: 'AlreadyExists', details: { name: 'data', kind: 'persistentvolumeclaims' } } });

    const sa = await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'dev' } } });
    await core.replaceNamespacedServiceAccount({ namespace: ns, name: 'dev', body: { ...sa, metadata: { ...sa.metadata, labels: { a: 'b' } } } });
    const stale = await statusOf(core.replaceNamespacedServiceAccount({ namespace: ns, name: 'dev', body: { ...sa, metadata: { ...sa.metadata, labels: { a: 'c' } } } }));
    expect(stale).toMatchObject({ code: 409, body: { reason: 'Conflict', details: { name: 'dev', kind: 'serviceaccounts' } } });

    const badImage = await statusOf(core.createNamespacedPod({
      namespace: ns, body: { metadata: { name: 'bad' }, spec: { containers: [{ name: 'main', image: 5 as unknown as string }] } },
    }));
    expect(badImage.code).toBe(422);
    expect(badImage.body).toMatchObject({ reason: 'Invalid', details: { name: 'bad', kind: 'Pod' } });
    expect(badImage.body.details.causes).toContainEqual(expect.objectContaining({ field: 'spec.containers[0].image' }));

    const noContainers = await statusOf(core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'bad' }, spec: {} as V1Pod['spec'] } }));
    expect(noContainers.code).toBe(422);
    expect(noContainers.body.details.causes).toContainEqual(expect.objectContaining({ field: 'spec.containers', reason: 'FieldValueRequired' }));

    const badName = await statusOf(core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'Not_Valid' } } }));
    expect(badName).toMatchObject({ code: 422, body: { reason: 'Invalid', details: { causes: [expect.objectContaining({ field: 'metadata.name' })] } } });

    const noNs = await statusOf(core.createNamespacedSecret({ namespace: 'does-not-exist', body: { metadata: { name: 's' } } }));
    expect(noNs).toMatchObject({ code: 404, body: { reason: 'NotFound', details: { name: 'does-not-exist', kind: 'namespaces' } } });
  });

  it('patches with JSON patch (client-node default) and keeps resourceVersion increasing', async () => {
    const before = await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'data' });
    const patched = await core.patchNamespacedPersistentVolumeClaim({
      namespace: ns, name: 'data', body: [{ op: 'add', path: '/metadata/annotations/workbay.dev~1note', value: 'hi' }],
    });
    expect(patched.metadata?.annotations?.['workbay.dev/note']).toBe('hi');
    expect(Number(patched.metadata?.resourceVersion)).toBeGreaterThan(Number(before.metadata?.resourceVersion));
  });

  it('injects faults and delays, and logs the requests that reached it', async () => {
    ks.sim.clearRequests();
    ks.sim.failNext({ verb: 'list', resource: 'pods', status: 500 });
    const failed = await statusOf(core.listNamespacedPod({ namespace: ns }));
    expect(failed).toMatchObject({ code: 500, body: { reason: 'InternalError' } });
    expect((await core.listNamespacedPod({ namespace: ns })).items).toHaveLength(1);

    ks.sim.failNext({ verb: 'create', resource: 'rolebindings', status: 403 });
    const body = { metadata: { name: 'rb', labels: { k: 'v' } }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'ServiceAccount', name: 'dev', namespace: ns }] };
    expect(await statusOf(rbac.createNamespacedRoleBinding({ namespace: ns, body }))).toMatchObject({ code: 403, body: { reason: 'Forbidden' } });
    await rbac.createNamespacedRoleBinding({ namespace: ns, body });
    expect((await rbac.readClusterRole({ name: 'edit' })).metadata?.name).toBe('edit');

    ks.sim.failNext({ verb: 'get', resource: 'namespaces', name: ns, delayMs: 400 });
    const t0 = Date.now();
    await core.readNamespace({ name: ns });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);

    const creates = ks.sim.requests.filter((r) => r.verb === 'create' && r.resource === 'rolebindings');
    expect(creates.map((r) => r.status)).toEqual([403, 201]);
    expect(creates[1]).toMatchObject({ method: 'POST', group: 'rbac.authorization.k8s.io', namespace: ns, body: { metadata: { name: 'rb' } } });
  });

  it('leaves a pod whose image is not on the engine Pending with ErrImagePull', async () => {
    await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'nopull' }, spec: { containers: [{ name: 'main', image: 'workbay-test/absent:1' }] } } });
    const waiting = await until('ErrImagePull', async () => {
      const p = await core.readNamespacedPod({ namespace: ns, name: 'nopull' });
      const w = p.status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'ErrImagePull' ? { phase: p.status?.phase, w } : undefined;
    });
    expect(waiting.phase).toBe('Pending');
    expect(waiting.w.message).toContain('workbay-test/absent:1');
    await core.deleteNamespacedPod({ namespace: ns, name: 'nopull', gracePeriodSeconds: 0 });
  });

  it('reports the node architecture, and 403 Forbidden on nodes with hideNodes', async () => {
    const node = await core.readNode({ name: 'kube-sim' });
    expect(node.metadata?.labels).toMatchObject({ 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': expect.stringMatching(/^(amd64|arm64)$/) });
    const hidden = await startKubeSim({ dockerHost: inject('dockerHost'), hideNodes: true });
    try {
      const { core: hiddenCore } = clientsFor(hidden.kubeconfig);
      expect(await statusOf(hiddenCore.listNode())).toMatchObject({ code: 403, body: { kind: 'Status', reason: 'Forbidden', details: { kind: 'nodes' } } });
      expect((await hiddenCore.listNamespace()).items.length).toBeGreaterThan(0);
    } finally {
      await hidden.close();
    }
  });

  it('works with kubectl: get, get -l, describe, logs, exec, delete', async () => {
    if (!existsSync(KUBECTL)) throw new Error(`${KUBECTL} is missing: apt-get install -y kubernetes-client`);
    const dir = mkdtempSync(join(tmpdir(), 'kube-sim-kubectl-'));
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      ks.writeKubeconfig(kubeconfig);
      const kubectl = async (...args: string[]): Promise<{ stdout: string; code: number }> => {
        try {
          const r = await run(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), '--request-timeout', '20s', '-n', ns, ...args], { timeout: 30_000 });
          return { stdout: r.stdout, code: 0 };
        } catch (err) {
          const e = err as { stdout?: string; stderr?: string; code?: number };
          return { stdout: `${e.stdout ?? ''}${e.stderr ?? ''}`, code: Number(e.code ?? 1) };
        }
      };
      const pods = await kubectl('get', 'pods');
      expect(pods.code).toBe(0);
      expect(pods.stdout).toMatch(/ws\s+1\/1\s+Running/);
      const labelled = await kubectl('get', 'pvc,rolebindings', '-l', 'k=v');
      expect(labelled.stdout).toMatch(/persistentvolumeclaim\/data\s+Bound/);
      expect(labelled.stdout).toContain('rolebinding.rbac.authorization.k8s.io/rb');
      const described = await kubectl('describe', 'pod', 'ws');
      expect(described.stdout).toMatch(/Status:\s+Running/);
      expect(described.stdout).toContain('Started container main');
      expect((await kubectl('logs', 'ws')).stdout).toBe('started\n');
      const exec = await kubectl('exec', 'ws', '--', 'sh', '-c', 'echo from-kubectl; exit 5');
      expect(exec.stdout).toContain('from-kubectl');
      expect(exec.code).toBe(5);
      expect((await kubectl('delete', 'pod', 'ws')).code).toBe(0);
      expect((await statusOf(core.readNamespacedPod({ namespace: ns, name: 'ws' }))).code).toBe(404);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deletes everything in a namespace when the namespace is deleted', async () => {
    await core.createNamespacedPod({ namespace: ns, body: busyboxPod('last', 'data') });
    await waitRunning('last');
    await core.deleteNamespace({ name: ns });
    expect((await core.readNamespace({ name: ns })).status?.phase).toBe('Terminating');
    const forbidden = await statusOf(core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'late' } } }));
    expect(forbidden).toMatchObject({ code: 403, body: { reason: 'Forbidden' } });
    await until('namespace gone', async () => ((await statusOf(core.readNamespace({ name: ns }))).code === 404 ? true : undefined));
    expect(await ks.sim.podContainers(ns, 'last')).toEqual([]);
    expect(ks.sim.list('persistentvolumeclaims', ns)).toEqual([]);
  });
});
