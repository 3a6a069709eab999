import { describe, expect, it } from 'vitest';
import { Namespace, PersistentVolumeClaim, Pod, ServiceAccount } from 'kubernetes-models/v1';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { loadProvider, type KubernetesAgent } from '../../../lib/config';
import { resolveDevcontainer, type DriverWorkspace } from '../../../lib/drivers';
import { builders } from '../../../lib/drivers/kubernetes';
import { applyPodTemplate, parsePodTemplate } from '../../../lib/drivers/kubernetes/pod-template';

const agentOf = (extra: string): KubernetesAgent => {
  const p = loadProvider(`name: b\ndriver: kubernetes\n${extra}`);
  if (p.agent.driver !== 'kubernetes') throw new Error('not kubernetes');
  return p.agent.kubernetes;
};
const ws: DriverWorkspace = { id: '01JABCDEFGHJKMNPQRSTVWXYZ0', name: 'demo', owner: 'o', source: { image: 'busybox' }, env: {} };
const resolved = (extra: Record<string, unknown> = {}) => resolveDevcontainer(ws, JSON.stringify({
  image: 'busybox', containerEnv: { A: '1' }, runArgs: ['--privileged', '--cap-add=SYS_PTRACE'], hostRequirements: { cpus: 2, memory: '4gb' }, ...extra,
}));

/** Every object the driver sends, validated with the official schemas (kubernetes-models). */
const validate = {
  pod: (o: unknown) => new Pod(o as never).validate(),
  pvc: (o: unknown) => new PersistentVolumeClaim(o as never).validate(),
  ns: (o: unknown) => new Namespace(o as never).validate(),
  sa: (o: unknown) => new ServiceAccount(o as never).validate(),
  rb: (o: unknown) => new RoleBinding(o as never).validate(),
};

describe('Kubernetes object builders produce schema-valid objects', () => {
  const agent = agentOf('persistentVolumeSize: 20Gi\nstorageClass: fast\npvcAccessMode: RWX\nclusterRole: view\nnodeSelector: disk=ssd\nlabels: team=a\nresources: requests.cpu=500m,limits.memory=2Gi\nhelperImage: alpine:3\nbuildkitImage: moby/buildkit:v0.13\n');

  it('namespace, PVC, service account and role binding', () => {
    validate.ns(builders.namespaceSpec('team-a'));
    const pvc = builders.pvcSpec(ws, agent, 'team-a');
    validate.pvc(pvc);
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteMany'], resources: { requests: { storage: '20Gi' } }, storageClassName: 'fast' });
    expect(pvc.metadata?.labels).toMatchObject({ team: 'a', 'workbay.dev/managed-by': 'workbay', 'devpod.sh/created': 'true' });
    validate.sa(builders.serviceAccountSpec(ws, agent, 'team-a'));
    const rb = builders.roleBindingSpec(ws, agent, 'team-a', 'workbay-x');
    validate.rb(rb);
    expect(rb.roleRef.name).toBe('view');
  });

  it('the workspace pod carries resources, scheduling, security and the PVC mounts', () => {
    // The provider's policy allows what the devcontainer asks for (privileged, SYS_PTRACE).
    const policy = loadProvider('name: b\ndriver: kubernetes\nworkbay:\n  policy: {privileged: true, capabilities: [SYS_PTRACE]}\n').definition.policy;
    const pod = builders.podSpec(ws, agent, 'team-a', resolved(), 'busybox', 'sa-1', policy);
    validate.pod(pod);
    const c = pod.spec!.containers[0]!;
    expect(c.resources).toEqual({ requests: { cpu: '500m', memory: '4Gi' }, limits: { memory: '2Gi' } });
    expect(c.securityContext).toEqual({ privileged: true, capabilities: { add: ['SYS_PTRACE'] } });
    expect(pod.spec!.nodeSelector).toEqual({ disk: 'ssd' });
    expect(pod.spec!.serviceAccountName).toBe('sa-1');
    expect(c.volumeMounts!.map((m) => m.mountPath)).toEqual(['/workspaces/demo', '/var/workbay']);
    expect(c.env).toEqual([{ name: 'A', value: '1' }]);
  });

  it('helper pods: architecture detection with helperImage, git source, buildkit privileged and rootless', () => {
    const arch = builders.archPodSpec(ws, agent, 'ns');
    validate.pod(arch);
    expect(arch.spec!.containers[0]!.image).toBe('alpine:3');
    validate.pod(builders.sourcePodSpec(ws, agent, 'ns', 'alpine/git', 'https://example.invalid/r.git', 'main'));
    const rootless = builders.buildkitPodSpec(ws, agent, 'ns');
    validate.pod(rootless);
    expect(rootless.spec!.containers[0]!.image).toBe('moby/buildkit:v0.13');
    expect(rootless.spec!.containers[0]!.securityContext).toMatchObject({ runAsUser: 1000 });
    const privileged = builders.buildkitPodSpec(ws, agentOf('buildkitPrivileged: true\n'), 'ns');
    validate.pod(privileged);
    expect(privileged.spec!.containers[0]!).toMatchObject({ image: 'moby/buildkit:master', securityContext: { privileged: true } });
  });

  it('podManifestTemplate: tolerations and sidecars kept, workbay\'s container and volume win', () => {
    const template = parsePodTemplate(`
apiVersion: v1
kind: Pod
metadata:
  name: ignored
  annotations: { team: a }
spec:
  tolerations: [{ key: gpu, operator: Exists, effect: NoSchedule }]
  containers:
    - name: devpod
      image: overridden
      resources: { limits: { nvidia.com/gpu: "1" } }
    - name: sidecar
      image: envoy
`);
    const pod = applyPodTemplate(template, builders.podSpec(ws, agent, 'ns', resolved({ hostRequirements: undefined, runArgs: [] }), 'busybox'));
    validate.pod(pod);
    expect(pod.metadata!.name).toBe('workbay-01jabcdefghjkmnpqrstvwxyz0');
    expect(pod.metadata!.annotations!.team).toBe('a');
    expect(pod.spec!.tolerations).toHaveLength(1);
    expect(pod.spec!.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['devpod=busybox', 'sidecar=envoy']);
    expect(pod.spec!.containers[0]!.resources!.limits).toEqual({ 'nvidia.com/gpu': '1', memory: '2Gi' });
    expect(() => parsePodTemplate('kind: Deployment\n')).toThrow(/must be a Pod/);
  });
});
