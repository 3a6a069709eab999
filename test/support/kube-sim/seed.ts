import type Docker from 'dockerode';
import { systemObject } from './controllers';
import { applyCreateDefaults } from './defaults';
import { findResource } from './resources';
import type { ObjectStore } from './store';

const RBAC = 'rbac.authorization.k8s.io/v1';

/** Kubernetes architecture name of the Docker host (`x86_64` → `amd64`, `aarch64` → `arm64`). */
export async function dockerArch(docker: Docker): Promise<string> {
  const info = (await docker.info().catch(() => ({}))) as { Architecture?: string };
  const arch = info.Architecture ?? process.arch;
  const map: Record<string, string> = { x86_64: 'amd64', x64: 'amd64', amd64: 'amd64', aarch64: 'arm64', arm64: 'arm64', armv7l: 'arm', arm: 'arm', s390x: 's390x', ppc64le: 'ppc64le' };
  return map[arch] ?? arch;
}

/** What a fresh cluster has: system namespaces (each with a `default` ServiceAccount), one node, the default ClusterRoles. */
export function seedCluster(store: ObjectStore, nodeName: string, arch: string, extraNodeLabels: Record<string, string>): void {
  const ns = findResource('', 'v1', 'namespaces')!;
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    const obj = systemObject('v1', 'Namespace', name, undefined, {});
    applyCreateDefaults(obj);
    store.insert(ns, obj);
  }
  const labels = {
    'kubernetes.io/arch': arch, 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': nodeName,
    'beta.kubernetes.io/arch': arch, 'beta.kubernetes.io/os': 'linux', 'node-role.kubernetes.io/control-plane': '',
    ...extraNodeLabels,
  };
  const node = systemObject('v1', 'Node', nodeName, undefined, {
    spec: {},
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: nodeName }],
      capacity: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      nodeInfo: {
        architecture: labels['kubernetes.io/arch'], operatingSystem: 'linux', kubeletVersion: 'v1.30.0-kube-sim', kubeProxyVersion: 'v1.30.0-kube-sim',
        containerRuntimeVersion: 'docker://20.10', osImage: 'kube-sim', kernelVersion: '', machineID: '', systemUUID: '', bootID: '',
      },
    },
  });
  node.metadata.labels = labels;
  store.insert(findResource('', 'v1', 'nodes')!, node);
  const cr = findResource('rbac.authorization.k8s.io', 'v1', 'clusterroles')!;
  const all = [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }];
  const rw = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
  const ro = ['get', 'list', 'watch'];
  const core = ['pods', 'pods/log', 'pods/exec', 'persistentvolumeclaims', 'secrets', 'serviceaccounts', 'configmaps', 'events'];
  const roles: Record<string, unknown[]> = {
    'cluster-admin': all,
    admin: [{ apiGroups: ['', 'rbac.authorization.k8s.io'], resources: [...core, 'rolebindings', 'roles'], verbs: rw }],
    edit: [{ apiGroups: [''], resources: core, verbs: rw }],
    view: [{ apiGroups: [''], resources: core.filter((r) => r !== 'secrets' && r !== 'pods/exec'), verbs: ro }],
  };
  for (const [name, rules] of Object.entries(roles)) {
    const role = systemObject(RBAC, 'ClusterRole', name, undefined, { rules });
    role.metadata.labels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
    store.insert(cr, role);
  }
}
