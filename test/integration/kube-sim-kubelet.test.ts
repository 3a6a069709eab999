import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { CoreV1Api, Exec, KubeConfig, PatchStrategy, Watch, setHeaderOptions, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startKubeSim, statusOf, until, type KubeSim } from '../support/kube-sim';

const BUSYBOX = 'workbay-test/busybox:local';

function pod(name: string, spec: Partial<NonNullable<V1Pod['spec']>>, labels?: Record<string, string>): V1Pod {
  return { metadata: { name, labels }, spec: { terminationGracePeriodSeconds: 1, containers: [], ...spec } };
}

describe('kube-sim kubelet: pods follow what their containers really do', () => {
  let ks: KubeSim;
  let kc: KubeConfig;
  let core: CoreV1Api;
  const ns = `kl-${Date.now().toString(36)}`;

  const phaseOf = (name: string, phase: string): Promise<V1Pod> =>
    until(`${name} ${phase}`, async () => {
      const p = await core.readNamespacedPod({ namespace: ns, name });
      return p.status?.phase === phase ? p : undefined;
    });

  beforeAll(async () => {
    ks = await startKubeSim({ dockerHost: inject('dockerHost') });
    kc = new KubeConfig();
    kc.loadFromString(ks.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await until('default SA', () => core.readNamespacedServiceAccount({ namespace: ns, name: 'default' }));
  });

  afterAll(async () => {
    await ks?.close();
  });

  it('reports Succeeded and Failed with exit codes under restartPolicy Never, and restarts under Always', async () => {
    const once = (name: string, script: string, restartPolicy: string) =>
      core.createNamespacedPod({ namespace: ns, body: pod(name, { restartPolicy, containers: [{ name: 'main', image: BUSYBOX, command: ['sh', '-c', script] }] }) });
    await once('ok', 'exit 0', 'Never');
    await once('bad', 'exit 2', 'Never');
    await once('again', 'echo run; exit 1', 'Always');
    const ok = await phaseOf('ok', 'Succeeded');
    expect(ok.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const bad = await phaseOf('bad', 'Failed');
    expect(bad.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    const again = await until('a restart', async () => {
      const p = await core.readNamespacedPod({ namespace: ns, name: 'again' });
      return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined;
    });
    expect(again.status?.phase).toBe('Running');
    expect(again.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(1);
    for (const name of ['ok', 'bad', 'again']) await core.deleteNamespacedPod({ namespace: ns, name, gracePeriodSeconds: 0 });
  });

  it('runs init containers first and gives containers env, secrets, emptyDir, workingDir and runAsUser', async () => {
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'creds' }, stringData: { user: 'alice', 'key.txt': 'secret-file' } } });
    await core.createNamespacedPod({
      namespace: ns,
      body: pod('full', {
        restartPolicy: 'Never',
        volumes: [{ name: 'shared', emptyDir: {} }, { name: 'creds', secret: { secretName: 'creds' } }],
        initContainers: [{ name: 'init', image: BUSYBOX, command: ['sh', '-c', 'echo from-init > /shared/x'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }],
        containers: [{
          name: 'main', image: BUSYBOX, workingDir: '/tmp', securityContext: { runAsUser: 1000 },
          command: ['sh', '-c', 'cat /shared/x; echo "$GREETING $WHO $POD"; cat /etc/creds/key.txt; echo; pwd; id -u'],
          env: [
            { name: 'WHO', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } },
            { name: 'GREETING', value: 'hello' },
            { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          volumeMounts: [{ name: 'shared', mountPath: '/shared' }, { name: 'creds', mountPath: '/etc/creds', readOnly: true }],
        }],
      }),
    });
    const done = await phaseOf('full', 'Succeeded');
    expect(done.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode).toBe(0);
    expect(await core.readNamespacedPodLog({ namespace: ns, name: 'full', container: 'main' }))
      .toBe('from-init\nhello alice full\nsecret-file\n/tmp\n1000\n');
  });

  it('reports configuration errors and unsupported volumes the way a kubelet does', async () => {
    await core.createNamespacedPod({
      namespace: ns,
      body: pod('noconf', { containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '60'], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'missing', key: 'k' } } }] }] }),
    });
    const waiting = await until('CreateContainerConfigError', async () => {
      const w = (await core.readNamespacedPod({ namespace: ns, name: 'noconf' })).status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'CreateContainerConfigError' ? w : undefined;
    });
    expect(waiting.message).toBe('secret "missing" not found');

    await core.createNamespacedPod({
      namespace: ns,
      body: pod('proj', {
        volumes: [{ name: 'p', projected: { sources: [] } }],
        containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '60'], volumeMounts: [{ name: 'p', mountPath: '/p' }] }],
      }),
    });
    await phaseOf('proj', 'Running');
    const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=proj' });
    expect(events.items.map((e) => e.message)).toContainEqual(expect.stringContaining('kube-sim does not mount volume(s) p (projected)'));
    for (const name of ['noconf', 'proj']) await core.deleteNamespacedPod({ namespace: ns, name, gracePeriodSeconds: 0 });
  });

  it('streams watch events, keeps a used PVC Terminating, and removes its volume once free', async () => {
    const seen: string[] = [];
    const watching = await new Watch(kc).watch(`/api/v1/namespaces/${ns}/pods`, { labelSelector: 'app=w' }, (type, obj: V1Pod) => {
      seen.push(`${type}:${obj.status?.phase ?? ''}${obj.metadata?.deletionTimestamp ? ':deleting' : ''}`);
    }, () => undefined);
    await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: { metadata: { name: 'vol' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } });
    await core.createNamespacedPod({
      namespace: ns,
      body: pod('w', {
        volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'vol' } }],
        containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'], volumeMounts: [{ name: 'v', mountPath: '/v' }] }],
      }, { app: 'w' }),
    });
    await phaseOf('w', 'Running');
    const volume = ks.sim.pvcVolumeName(ns, 'vol')!;
    await core.deleteNamespacedPersistentVolumeClaim({ namespace: ns, name: 'vol' });
    const terminating = await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'vol' });
    expect(terminating.metadata?.deletionTimestamp).toBeTruthy();
    expect(terminating.metadata?.finalizers).toContain('kubernetes.io/pvc-protection');

    await core.deleteNamespacedPod({ namespace: ns, name: 'w' });
    await until('PVC gone', async () => ((await statusOf(core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'vol' }))).code === 404 ? true : undefined));
    watching.abort();
    expect(seen[0]).toBe('ADDED:Pending');
    expect(seen).toContain('MODIFIED:Running');
    expect(seen.at(-1)).toMatch(/^DELETED:Running:deleting$/);
    const docker = new Docker({ socketPath: new URL(inject('dockerHost')).pathname });
    await until(`volume ${volume} removed`, async () => {
      const { Volumes } = await docker.listVolumes({ filters: { name: [volume] } });
      return (Volumes ?? []).some((v) => v.Name === volume) ? undefined : true;
    });
  });

  it('execs with a TTY, and applies admission and update rules', async () => {
    await core.createNamespacedPod({ namespace: ns, body: pod('tty', { containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'] }] }) });
    await phaseOf('tty', 'Running');
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc).exec(ns, 'tty', 'main', ['sh', '-c', 'tty; exit 4'], out, null, null, true, resolve).catch(reject);
    });
    expect(text).toBe('/dev/pts/0\r\n');
    expect(status.details?.causes?.[0]).toEqual({ reason: 'ExitCode', message: '4' });

    const current = await core.readNamespacedPod({ namespace: ns, name: 'tty' });
    const changed = structuredClone(current);
    changed.spec!.containers[0]!.command = ['sleep', '1'];
    expect(await statusOf(core.replaceNamespacedPod({ namespace: ns, name: 'tty', body: changed }))).toMatchObject({ code: 422, body: { reason: 'Invalid', details: { causes: [{ field: 'spec' }] } } });
    const labelled = await core.patchNamespacedPod({ namespace: ns, name: 'tty', body: { metadata: { labels: { x: 'y' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(labelled.metadata?.labels).toEqual({ x: 'y' });

    const noSa = await statusOf(core.createNamespacedPod({ namespace: ns, body: pod('nosa', { serviceAccountName: 'ghost', containers: [{ name: 'main', image: BUSYBOX }] }) }));
    expect(noSa).toMatchObject({ code: 403, body: { reason: 'Forbidden', message: expect.stringContaining('serviceaccount "ghost" not found') } });
    await core.createNamespacedPod({ namespace: ns, body: pod('dry', { containers: [{ name: 'main', image: BUSYBOX }] }), dryRun: 'All' });
    expect((await statusOf(core.readNamespacedPod({ namespace: ns, name: 'dry' }))).code).toBe(404);
    const generated = await core.createNamespacedSecret({ namespace: ns, body: { metadata: { generateName: 'gen-' } } });
    expect(generated.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });
});
