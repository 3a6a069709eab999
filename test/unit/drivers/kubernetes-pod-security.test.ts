import { describe, expect, it } from 'vitest';
import { Pod } from 'kubernetes-models/v1';
import type { V1Pod } from '@kubernetes/client-node';
import { loadProvider, type KubernetesAgent } from '../../../lib/config';
import { resolveDevcontainer, type DriverWorkspace } from '../../../lib/drivers';
import { builders } from '../../../lib/drivers/kubernetes';
import { DEFAULT_POLICY, podSecurityViolations, type Policy } from '../../../lib/policy';

const provider = (policy = '') => loadProvider(`name: k\ndriver: kubernetes\n${policy ? `workbay:\n  policy: ${policy}\n` : ''}`);
const agent = provider().agent.kubernetes as KubernetesAgent;
const ws: DriverWorkspace = { id: '01JABCDEFGHJKMNPQRSTVWXYZ0', name: 'demo', owner: 'o', source: { image: 'busybox' }, env: {} };
const greedy = resolveDevcontainer(ws, JSON.stringify({
  image: 'busybox', privileged: true, runArgs: ['--cap-add=SYS_ADMIN', '--cap-add=CHOWN', '--network=host', '--pid=host', '--ipc=host'],
}));
const podFor = (policy: Policy) => builders.podSpec(ws, agent, 'ns', greedy, 'busybox', undefined, policy);

describe('the workspace pod meets Pod Security "baseline" unless the policy allows more', () => {
  it('default policy: no privileged, no added capability beyond baseline, no host namespaces', () => {
    const pod = podFor(DEFAULT_POLICY);
    new Pod(pod as never).validate();
    expect(podSecurityViolations(pod)).toEqual([]);
    expect(pod.spec).not.toHaveProperty('hostNetwork');
    expect(pod.spec!.containers[0]!.securityContext).toEqual({ capabilities: { add: ['CHOWN'] } });
  });

  it('a policy that allows more gets exactly that, and baseline names each breach', () => {
    const policy = provider('{privileged: true, capabilities: [SYS_ADMIN], networks: [host], hostNamespaces: [pid, ipc]}').definition.policy;
    const pod = podFor(policy);
    new Pod(pod as never).validate();
    expect(pod.spec).toMatchObject({ hostNetwork: true, hostPID: true, hostIPC: true });
    expect(pod.spec!.containers[0]!.securityContext).toEqual({ privileged: true, capabilities: { add: ['SYS_ADMIN', 'CHOWN'] } });
    expect(podSecurityViolations(pod, policy)).toEqual([]);
    expect(podSecurityViolations(pod)).toEqual([
      'spec.hostNetwork: host namespaces are not allowed',
      'spec.hostPID: host namespaces are not allowed',
      'spec.hostIPC: host namespaces are not allowed',
      'spec.containers[0].securityContext.privileged: privileged containers are not allowed',
      'spec.containers[0].securityContext.capabilities.add: SYS_ADMIN is beyond baseline',
    ]);
  });

  it('helper pods (architecture probe, git clone) meet baseline too', () => {
    expect(podSecurityViolations(builders.archPodSpec(ws, agent, 'ns'))).toEqual([]);
    expect(podSecurityViolations(builders.sourcePodSpec(ws, agent, 'ns', 'alpine/git', 'https://example.invalid/r.git'))).toEqual([]);
  });

  it('the checker catches host paths, host ports, unconfined seccomp and unsafe sysctls, whatever the policy', () => {
    const open = provider('{privileged: true, capabilities: [ALL], networks: [host]}').definition.policy;
    const pod: V1Pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' },
      spec: {
        securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] },
        volumes: [{ name: 'root', hostPath: { path: '/' } }],
        containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80, hostPort: 80 }], securityContext: { seccompProfile: { type: 'Unconfined' }, procMount: 'Unmasked' } }],
      },
    };
    expect(podSecurityViolations(pod, open)).toEqual([
      'spec.volumes[0].hostPath: hostPath volumes are not allowed',
      'spec.securityContext.sysctls: kernel.msgmax is not a safe sysctl',
      'spec.containers[0].securityContext.procMount: only Default is allowed',
      'spec.containers[0].securityContext.seccompProfile: Unconfined is not allowed',
      'spec.containers[0].ports[0].hostPort: host ports are not allowed',
    ]);
  });
});
