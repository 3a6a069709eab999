import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { kubeNames } from '../../lib/drivers/kubernetes';
import { isWorkbayError } from '../../lib/errors';
import { podSecurityViolations } from '../../lib/policy';
import { startGitServer, type GitServer } from '../support/git-server';
import { startKubeSim, type KubeSim } from '../support/kube-sim';
import { kubeDriverFrom, kubeWorkspace } from '../support/kube-provider';

let sim: KubeSim;
let git: GitServer;
const IMAGE = 'workbay-test/busybox:local';
const cleanups: (() => Promise<unknown>)[] = [];
const dir = mkdtempSync(join(tmpdir(), 'workbay-kube-policy-'));
const kubeconfig = join(dir, 'kubeconfig');

beforeAll(async () => {
  sim = await startKubeSim({ dockerHost: inject('dockerHost') });
  git = await startGitServer();
  sim.writeKubeconfig(kubeconfig);
}, 60_000);
afterAll(async () => {
  for (const c of cleanups) await c().catch(() => undefined);
  await sim?.close();
  await git?.close();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

const provider = (ns: string, policy = '') => `name: k\ndriver: kubernetes\nconfig: ${kubeconfig}\ncontext: kube-sim\nnamespace: ${ns}\ncreateNamespace: true\n${policy}`;
const devPodCreates = (ns: string) => sim.sim.requests.filter((r) => r.verb === 'create' && r.resource === 'pods' && r.namespace === ns && (r.body as V1Pod | undefined)?.metadata?.name?.endsWith('-source') !== true);

describe('Kubernetes: the policy is judged in the driver too, and the pod meets baseline', () => {
  it("a repository's devcontainer.json asking for privileged is refused before any workspace pod exists", async () => {
    const url = git.repo('privileged-repo', { '.devcontainer/devcontainer.json': JSON.stringify({ image: IMAGE, privileged: true, runArgs: ['--network=host'] }) });
    const d = await kubeDriverFrom(provider('pol-deny'));
    const ws = kubeWorkspace({ source: { git: { url } } });
    cleanups.push(() => d.delete(ws));
    const err = await d.create(ws, () => {}).catch((e: unknown) => e);
    expect(isWorkbayError(err, 'policy.denied'), String(err)).toBe(true);
    expect((err as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['devcontainer.runArgs[0]', 'devcontainer.privileged']);
    expect(sim.sim.get('pods', 'pol-deny', kubeNames(ws.id).pod)).toBeUndefined();
    expect(devPodCreates('pol-deny').map((r) => (r.body as V1Pod).metadata?.name)).not.toContain(kubeNames(ws.id).pod);
  }, 90_000);

  it('with a policy that allows it, the pod spec the API server receives asks for exactly that', async () => {
    const d = await kubeDriverFrom(provider('pol-allow', 'workbay:\n  policy: {privileged: true, capabilities: [SYS_ADMIN], resources: {cpus: {default: "1"}, memory: {max: 512Mi}}}\n'));
    const ws = kubeWorkspace({ devcontainer: JSON.stringify({ image: IMAGE, privileged: true, capAdd: ['SYS_ADMIN'] }) });
    cleanups.push(() => d.delete(ws));
    // Privileged containers cannot start in this sandbox: the pod the API server accepted is the evidence.
    await d.create(ws, () => {}).catch(() => undefined);
    const sent = sim.sim.requests.find((r) => r.verb === 'create' && r.resource === 'pods' && (r.body as V1Pod | undefined)?.metadata?.name === kubeNames(ws.id).pod);
    const pod = sent!.body as V1Pod;
    expect(pod.spec!.containers[0]!.securityContext).toEqual({ privileged: true, capabilities: { add: ['SYS_ADMIN'] } });
    expect(pod.spec!.containers[0]!.resources).toEqual({ requests: { cpu: '1', memory: '512Mi' }, limits: { cpu: '1', memory: '512Mi' } });
    expect(podSecurityViolations(pod)).toEqual([
      'spec.containers[0].securityContext.privileged: privileged containers are not allowed',
      'spec.containers[0].securityContext.capabilities.add: SYS_ADMIN is beyond baseline',
    ]);
  }, 90_000);

  it('with the default policy a plain workspace pod runs and meets baseline', async () => {
    const d = await kubeDriverFrom(provider('pol-plain'));
    const ws = kubeWorkspace();
    cleanups.push(() => d.delete(ws));
    expect((await d.create(ws, () => {})).state).toBe('running');
    expect(podSecurityViolations(sim.sim.get('pods', 'pol-plain', kubeNames(ws.id).pod) as unknown as V1Pod)).toEqual([]);
  }, 90_000);
});
