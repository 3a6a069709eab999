import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kubeNames, workspaceSelector } from '../../lib/drivers/kubernetes';
import { pollUntil } from '../support/wait';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { testDocker } from '../support/docker-inspect';
import { providerYaml } from '../support/fixtures';
import { startKubeSim, type KubeSim } from '../support/kube-sim';

const run = promisify(execFile);
const IMAGE = 'workbay-test/busybox:local';
const dir = mkdtempSync(join(tmpdir(), 'workbay-kube-life-'));
const kubeconfig = join(dir, 'kubeconfig');
let sim: KubeSim;
let cp: TestControlPlane;
let token: string;

beforeAll(async () => {
  sim = await startKubeSim({ dockerHost: inject('dockerHost') });
  sim.writeKubeconfig(kubeconfig);
  cp = await startControlPlane({ kubeconfig, kubeTimeoutSeconds: 2 });
  token = await cp.tokenFor('kube-user');
}, 60_000);

afterAll(async () => {
  await cp?.dispose();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

const as = (method: string, path: string, json?: unknown) => cp.call(method, path, { token, json });
const RESOURCES = ['pods', 'persistentvolumeclaims', 'rolebindings', 'serviceaccounts', 'secrets'] as const;
const leftovers = (wsId: string) => RESOURCES.flatMap((r) => sim.sim.list(r).filter((o) => o.metadata.labels?.['workbay.dev/workspace-id'] === wsId.toLowerCase()).map((o) => `${r}/${o.metadata.name}`));
const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 });

const until = (id: string, pred: (ws: any) => boolean, ms = 60_000) =>
  pollUntil(async () => (await as('GET', `/v1/workspaces/${id}`)).body, pred, ms);

describe("the page's simple-kubernetes provider", () => {
  let id = '';

  it('is added as printed on the page (indented) and drives a workspace to Running', async () => {
    expect((await cp.call('POST', '/v1/providers', { yaml: providerYaml('simple-kubernetes') })).status).toBe(201);
    const devcontainer = JSON.stringify({ image: IMAGE, containerEnv: { GREETING: 'hi from k8s' }, postCreateCommand: 'echo created >> .post-create.log' });
    const r = await as('POST', '/v1/workspaces?wait=25', { provider: 'simple-kubernetes', name: 'k8s-one', source: { image: IMAGE }, devcontainer });
    expect(r.body.statusReason).toBeUndefined();
    expect(r.body).toMatchObject({ status: 'Running', driver: 'kubernetes', inactivityTimeoutSeconds: 300 });
    id = r.body.id;
    const n = kubeNames(id);
    expect((sim.sim.get('persistentvolumeclaims', 'default', n.pvc) as any).spec.resources.requests.storage).toBe('20Gi');
    expect((await as('POST', `/v1/workspaces/${id}/exec`, { command: 'echo $GREETING; cat .post-create.log' })).body.stdout).toBe('hi from k8s\ncreated\n');
  }, 90_000);

  it('stop deletes the pod and keeps the PVC; start brings back the files', async () => {
    await as('POST', `/v1/workspaces/${id}/exec`, { command: 'echo kept > kept.txt' });
    const stop = await as('POST', `/v1/workspaces/${id}/stop?wait=25`);
    expect(stop.body.status).toBe('Stopped');
    const n = kubeNames(id);
    expect(sim.sim.get('pods', 'default', n.pod)).toBeUndefined();
    expect(sim.sim.get('persistentvolumeclaims', 'default', n.pvc)).toBeDefined();
    const start = await as('POST', `/v1/workspaces/${id}/start?wait=25`);
    expect(start.body.status).toBe('Running');
    expect((await as('POST', `/v1/workspaces/${id}/exec`, { command: ['cat', 'kept.txt', '.post-create.log'] })).body.stdout).toBe('kept\ncreated\n');
  }, 90_000);

  it('kubectl (a client we did not write) can get, describe, log, exec into and find the workspace objects', async () => {
    const n = kubeNames(id);
    expect((await kubectl('get', 'pods', '-n', 'default')).stdout).toContain(n.pod);
    expect((await kubectl('describe', 'pod', n.pod, '-n', 'default')).stdout).toMatch(/workbay\.dev\/workspace-id/);
    expect((await kubectl('logs', n.pod, '-n', 'default', '-c', 'devpod')).stdout).toContain('Container started');
    expect((await kubectl('exec', n.pod, '-n', 'default', '-c', 'devpod', '--', 'cat', `/workspaces/k8s-one/kept.txt`)).stdout).toBe('kept\n');
    expect((await kubectl('get', 'pvc,rolebindings', '-n', 'default', '-l', workspaceSelector(id))).stdout).toContain(n.pvc);
  }, 60_000);

  it('delete leaves nothing workbay created', async () => {
    expect((await as('DELETE', `/v1/workspaces/${id}?wait=25`)).status).toBe(204);
    expect(leftovers(id)).toEqual([]);
  }, 60_000);

  it('kubectl delete of the pod is noticed: start recreates it', async () => {
    const r = await as('POST', '/v1/workspaces?wait=25', { provider: 'simple-kubernetes', name: 'k8s-two', source: { image: IMAGE } });
    await kubectl('delete', 'pod', kubeNames(r.body.id).pod, '-n', 'default', '--wait=true');
    await as('POST', `/v1/workspaces/${r.body.id}/stop?wait=25`);
    expect((await as('POST', `/v1/workspaces/${r.body.id}/start?wait=25`)).body.status).toBe('Running');
    await as('DELETE', `/v1/workspaces/${r.body.id}?wait=25`);
  }, 90_000);
});

describe('orphans on Kubernetes', () => {
  it('a labelled pod and PVC whose record is gone are removed by the next collection; an unlabelled PVC beside them is not', async () => {
    const r = await as('POST', '/v1/workspaces?wait=25', { provider: 'simple-kubernetes', name: 'k8s-orphan', source: { image: IMAGE } });
    expect(r.body.status).toBe('Running');
    // The record goes behind workbay's back; the worker may still be ending its pass (lease release).
    expect(await pollUntil(async () => {
      const rec = await cp.store.workspaces.get(r.body.id);
      return rec ? cp.store.workspaces.remove(rec).then(() => true, () => false) : true;
    }, (gone) => gone, 10_000)).toBe(true);
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'not-ours', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    await run('sh', ['-c', `echo '${manifest}' | kubectl --kubeconfig ${kubeconfig} create -f -`]);
    expect(leftovers(r.body.id).length).toBeGreaterThanOrEqual(2);
    const collected = await cp.services.collectOrphans({ graceMs: 0 });
    expect(collected).toMatchObject({ failed: 0 });
    expect(collected.removed).toBeGreaterThanOrEqual(1);
    expect(await pollUntil(async () => leftovers(r.body.id), (l) => l.length === 0, 30_000)).toEqual([]);
    expect(sim.sim.get('persistentvolumeclaims', 'default', 'not-ours')).toBeDefined();
  }, 90_000);
});

describe('inactivity on Kubernetes', () => {
  it('a sweep deletes the idle pod (PVC kept, stopReason inactivity); touching the activity file in the pod keeps another running', async () => {
    await cp.call('POST', '/v1/providers', { yaml: `name: kube-short\ndriver: kubernetes\ncontainerInactivityTimeout: 4\n` });
    const [idle, busy] = await Promise.all(['k8s-idle', 'k8s-busy'].map(async (name) => (await as('POST', '/v1/workspaces?wait=25', { provider: 'kube-short', name, source: { image: IMAGE } })).body));
    expect([idle.status, busy.status]).toEqual(['Running', 'Running']);
    const docker = testDocker();
    const [container] = await sim.sim.podContainers('default', kubeNames(busy.id).pod);
    const touch = setInterval(() => void docker.getContainer(container!.Id).exec({ Cmd: ['touch', '/tmp/devpod.activity'] }).then((e) => e.start({ Detach: true })).catch(() => undefined), 1000);
    try {
      await new Promise((r) => setTimeout(r, 5500));
      const res = (await cp.call('POST', '/v1/sweeps')).body;
      expect(res.stopped).toBe(1);
      expect(res.extended).toBe(1);
    } finally {
      clearInterval(touch);
    }
    expect(await until(idle.id, (w) => w.status === 'Stopped')).toMatchObject({ status: 'Stopped', stopReason: 'inactivity' });
    expect(sim.sim.get('pods', 'default', kubeNames(idle.id).pod)).toBeUndefined();
    expect(sim.sim.get('persistentvolumeclaims', 'default', kubeNames(idle.id).pvc)).toBeDefined();
    expect((await as('GET', `/v1/workspaces/${busy.id}`)).body).toMatchObject({ status: 'Running', lastActivitySource: 'container' });
    for (const ws of [idle, busy]) await as('DELETE', `/v1/workspaces/${ws.id}?wait=25`);
  }, 90_000);
});

describe('API server errors surface clearly and leave no orphans', () => {
  const cases = [
    { status: 403, verb: 'create', resource: 'pods', expect: /forbidden/ },
    { status: 422, verb: 'create', resource: 'persistentvolumeclaims', expect: /rejected as invalid/ },
    { status: 404, verb: 'create', resource: 'pods', expect: /not found/ },
  ] as const;
  for (const c of cases) {
    it(`${c.status} on ${c.verb} ${c.resource}: Error with the API server's message; delete cleans up`, async () => {
      sim.sim.failNext({ verb: c.verb, resource: c.resource, status: c.status, message: `injected ${c.status}`, times: 1 });
      const r = await as('POST', '/v1/workspaces?wait=20', { provider: 'simple-kubernetes', name: `err-${c.status}`, source: { image: IMAGE } });
      const ws = await until(r.body.id, (w) => w.status === 'Error');
      expect(ws.statusReason).toMatch(c.expect);
      expect(ws.statusReason).toContain(`injected ${c.status}`);
      expect((await as('DELETE', `/v1/workspaces/${ws.id}?wait=25`)).status).toBe(204);
      expect(leftovers(ws.id)).toEqual([]);
    }, 60_000);
  }

  for (const c of [{ status: 500 }, { status: 409 }, { delayMs: 4000 }] as const) {
    it(`${'status' in c ? c.status : 'an API call slower than WORKBAY_KUBE_TIMEOUT'} is retried and the workspace still comes up`, async () => {
      sim.sim.failNext({ verb: 'create', resource: 'pods', ...c, times: 1 });
      const r = await as('POST', '/v1/workspaces', { provider: 'simple-kubernetes', name: `retry-${'status' in c ? c.status : 'slow'}`, source: { image: IMAGE } });
      const ws = await until(r.body.id, (w) => w.status === 'Running' || w.status === 'Error', 60_000);
      expect(ws.statusReason).toBeUndefined();
      const retries = (await as('GET', `/v1/workspaces/${ws.id}/events?limit=500`)).body.items.filter((e: { type: string }) => e.type === 'workspace.retrying');
      if (!('status' in c) || c.status === 500) expect(retries.length).toBeGreaterThanOrEqual(1);
      if (!('status' in c)) {
        expect(retries[0].message).toMatch(/timed out after 2000 ms/);
        // The API server applies the slow request after we gave up on it; the retried step adopted
        // the pod. Let that late write land before deleting, so the delete sees it (see closing note).
        await new Promise((r) => setTimeout(r, c.delayMs));
      }
      expect(ws.status).toBe('Running');
      await as('DELETE', `/v1/workspaces/${ws.id}?wait=25`);
      expect(leftovers(ws.id)).toEqual([]);
    }, 90_000);
  }
});
