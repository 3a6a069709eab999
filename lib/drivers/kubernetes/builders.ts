import type { V1Namespace, V1PersistentVolumeClaim, V1Pod, V1ResourceRequirements, V1RoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import { hostRequirementsToResources, parseResources, type KubernetesAgent } from '../../config';
import { referenceMetadata, runtimeMeta, type ResolvedDevcontainer } from '../devcontainer';
import { BASELINE_CAPABILITIES, decideResources, DEFAULT_POLICY, kubernetesLimits, normalizeCapability, type Policy } from '../../policy';
import type { DriverWorkspace } from '../driver';
import { KEEPALIVE, MARKER_DIR } from '../lifecycle';
import { DEV_CONTAINER, kubeLabels, kubeNames } from './names';

/** Annotation holding what start and exec need later (see RuntimeMeta). */
export const RUNTIME_ANNOTATION = 'workbay.dev/runtime';
/** PVC sub-paths: the workspace folder, and the run-once markers that must outlive the pod. */
const WORKSPACE_SUBPATH = 'workspace';
const MARKER_SUBPATH = 'workbay-markers';
/** PVC sub-path of the generated Features build context, beside (not inside) the workspace folder. */
const BUILD_SUBPATH = 'workbay-build';
/** Where the buildkit pod sees that context. */
export const BUILD_CONTEXT_DIR = '/workbay-build';

/** Pure builders of every object the Kubernetes driver sends (DESIGN §11: params separate from send). */
export function namespaceSpec(name: string): V1Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'workbay.dev/managed-by': 'workbay' } } };
}

export function pvcSpec(ws: DriverWorkspace, agent: KubernetesAgent, namespace: string): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: {
      name: kubeNames(ws.id).pvc, namespace, labels: kubeLabels(ws, agent.labels),
      ...(agent.pvcAnnotations ? { annotations: { ...agent.pvcAnnotations } } : {}),
    },
    spec: {
      accessModes: [agent.pvcAccessMode],
      resources: { requests: { storage: agent.persistentVolumeSize } },
      ...(agent.storageClassName ? { storageClassName: agent.storageClassName } : {}),
    },
  };
}

export function serviceAccountSpec(ws: DriverWorkspace, agent: KubernetesAgent, namespace: string): V1ServiceAccount {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: kubeNames(ws.id).serviceAccount, namespace, labels: kubeLabels(ws, agent.labels) } };
}

/** A namespaced RoleBinding to the provider's ClusterRole for the workspace's service account. */
export function roleBindingSpec(ws: DriverWorkspace, agent: KubernetesAgent, namespace: string, serviceAccount: string): V1RoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
    metadata: { name: kubeNames(ws.id).roleBinding, namespace, labels: kubeLabels(ws, agent.labels) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: agent.clusterRole },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
  };
}

/**
 * Container resources from the provider's `resources`, the devcontainer's `hostRequirements`
 * (requests) and the policy's decision (its CPU and memory become both request and limit, so the
 * ceiling holds whatever else asked).
 */
export function resourcesFor(agent: KubernetesAgent, r: ResolvedDevcontainer, policy: Policy = DEFAULT_POLICY): V1ResourceRequirements | undefined {
  const fromProvider = agent.resources ? parseResources(agent.resources, 'agent.kubernetes.resources') : { requests: {}, limits: {} };
  const host = r.config.hostRequirements ? hostRequirementsToResources(r.config.hostRequirements) : {};
  const decided = kubernetesLimits(decideResources(policy, r.config));
  const requests = {
    ...(host.cpu ? { cpu: host.cpu } : {}), ...(host.memory ? { memory: host.memory } : {}),
    ...(host.ephemeralStorage ? { 'ephemeral-storage': host.ephemeralStorage } : {}), ...fromProvider.requests, ...decided,
  };
  const limits = { ...fromProvider.limits, ...decided };
  if (!Object.keys(requests).length && !Object.keys(limits).length) return undefined;
  return { ...(Object.keys(requests).length ? { requests } : {}), ...(Object.keys(limits).length ? { limits } : {}) };
}

/** The workspace pod: the dev container on the PVC, labelled, with the provider's scheduling settings. */
export function podSpec(ws: DriverWorkspace, agent: KubernetesAgent, namespace: string, r: ResolvedDevcontainer, image: string, serviceAccount?: string, policy: Policy = DEFAULT_POLICY): V1Pod {
  const c = r.config;
  const names = kubeNames(ws.id);
  const env = { ...c.containerEnv, ...c.runArgs.env };
  const resources = resourcesFor(agent, r, policy);
  // Only what the policy allowed reaches here (the driver judged the config first); each is still
  // gated on the policy so the pod never exceeds Pod Security baseline on its own.
  const hostNs = {
    ...(c.runArgs.network === 'host' && policy.networks.includes('host') ? { hostNetwork: true } : {}),
    ...(c.runArgs.pid === 'host' && policy.hostNamespaces.includes('pid') ? { hostPID: true } : {}),
    ...(c.runArgs.ipc === 'host' && policy.hostNamespaces.includes('ipc') ? { hostIPC: true } : {}),
  };
  const privileged = c.runArgs.privileged && policy.privileged;
  const capAdd = c.runArgs.capAdd.map(normalizeCapability)
    .filter((cap) => BASELINE_CAPABILITIES.has(cap) || policy.privileged || policy.capabilities.includes(cap) || policy.capabilities.includes('ALL'));
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: names.pod, namespace, labels: kubeLabels(ws, agent.labels),
      annotations: { 'devcontainer.metadata': referenceMetadata(r), [RUNTIME_ANNOTATION]: JSON.stringify(runtimeMeta(r)) },
    },
    spec: {
      restartPolicy: 'Never',
      ...hostNs,
      ...(serviceAccount ? { serviceAccountName: serviceAccount } : {}),
      ...(Object.keys(agent.nodeSelector).length ? { nodeSelector: agent.nodeSelector } : {}),
      containers: [{
        name: DEV_CONTAINER, image,
        ...(c.overrideCommand ? { command: ['/bin/sh', '-c', KEEPALIVE] } : {}),
        env: Object.entries(env).map(([name, value]) => ({ name, value })),
        workingDir: r.workspaceFolder,
        volumeMounts: [
          { name: 'workspace', mountPath: r.workspaceFolder, subPath: WORKSPACE_SUBPATH },
          { name: 'workspace', mountPath: MARKER_DIR, subPath: MARKER_SUBPATH },
        ],
        ...(resources ? { resources } : {}),
        ...(privileged || capAdd.length
          ? { securityContext: { ...(privileged ? { privileged: true } : {}), ...(capAdd.length ? { capabilities: { add: capAdd } } : {}) } }
          : {}),
      }],
      volumes: [{ name: 'workspace', persistentVolumeClaim: { claimName: names.pvc } }],
    },
  };
}

function requirements(text: string, field: string): V1ResourceRequirements {
  const { requests, limits } = parseResources(text, field);
  return { ...(Object.keys(requests).length ? { requests } : {}), ...(Object.keys(limits).length ? { limits } : {}) };
}

/** A throw-away pod that prints the node architecture (`uname -m`), for clusters whose nodes cannot be read. */
export function archPodSpec(ws: DriverWorkspace, agent: KubernetesAgent, namespace: string): V1Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: kubeNames(ws.id).arch, namespace, labels: kubeLabels(ws, { ...agent.labels, 'workbay.dev/helper': 'arch' }) },
    spec: {
      restartPolicy: 'Never',
      ...(Object.keys(agent.nodeSelector).length ? { nodeSelector: agent.nodeSelector } : {}),
      containers: [{ name: 'arch', image: agent.helperImage || 'alpine', command: ['uname', '-m'] }],
    },
  };
}

/** A pod that clones a git source into the PVC and prints the commit and devcontainer.json to its log. */
export function sourcePodSpec(ws: DriverWorkspace, agent: KubernetesAgent, namespace: string, gitImage: string, url: string, ref?: string, gitOptions: string[] = []): V1Pod {
  const script = [
    'set -e',
    'if [ ! -d /workspace/.git ]; then find /workspace -mindepth 1 -maxdepth 1 -exec rm -rf {} +; git clone "$@" /workspace; fi',
    'cd /workspace',
    'echo "::commit $(git rev-parse HEAD)"',
    // The spec's search order (or the workspace's devcontainerPath); several nested configs are a choice.
    'c="$WORKBAY_DEVCONTAINER_PATH"',
    'if [ -z "$c" ]; then for f in .devcontainer/devcontainer.json .devcontainer.json; do if [ -f "$f" ]; then c="$f"; break; fi; done; fi',
    'if [ -z "$c" ]; then n=0; list=""; for f in .devcontainer/*/devcontainer.json; do if [ -f "$f" ]; then n=$((n+1)); c="$f"; list="$list $f"; fi; done; if [ "$n" -gt 1 ]; then echo "::choices$list"; c=""; fi; fi',
    'if [ -n "$c" ] && [ -f "$c" ]; then echo "::devcontainer $c"; cat "$c"; echo; echo "::end"; fi',
  ].join('\n');
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: kubeNames(ws.id).source, namespace, labels: kubeLabels(ws, { ...agent.labels, 'workbay.dev/helper': 'source' }) },
    spec: {
      restartPolicy: 'Never',
      containers: [{
        name: 'source', image: gitImage, command: ['/bin/sh', '-c', script, 'clone', ...gitOptions, ...(ref ? ['--branch', ref] : []), '--', url],
        ...(ws.devcontainerPath ? { env: [{ name: 'WORKBAY_DEVCONTAINER_PATH', value: ws.devcontainerPath }] } : {}),
        volumeMounts: [{ name: 'workspace', mountPath: '/workspace', subPath: WORKSPACE_SUBPATH }],
      }],
      volumes: [{ name: 'workspace', persistentVolumeClaim: { claimName: kubeNames(ws.id).pvc } }],
    },
  };
}

/** The buildkit pod: privileged with the root image, or rootless per `buildkitPrivileged`. */
export function buildkitPodSpec(ws: DriverWorkspace, agent: KubernetesAgent, namespace: string): V1Pod {
  const privileged = agent.buildkitPrivileged;
  const image = agent.buildkitImage || (privileged ? 'moby/buildkit:master' : 'moby/buildkit:master-rootless');
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: kubeNames(ws.id).buildkit, namespace, labels: kubeLabels(ws, { ...agent.labels, 'workbay.dev/helper': 'buildkit' }),
      ...(privileged ? {} : { annotations: { 'container.apparmor.security.beta.kubernetes.io/buildkitd': 'unconfined' } }),
    },
    spec: {
      restartPolicy: 'Never',
      ...(agent.buildkitNodeSelector ? { nodeSelector: agent.buildkitNodeSelector } : {}),
      containers: [{
        name: 'buildkitd', image,
        ...(privileged ? {} : { args: ['--oci-worker-no-process-sandbox'] }),
        ...(agent.buildkitResources ? { resources: requirements(agent.buildkitResources, 'agent.kubernetes.buildkitResources') } : {}),
        securityContext: privileged
          ? { privileged: true }
          : { runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'Unconfined' } },
        volumeMounts: [
          { name: 'workspace', mountPath: '/workspace', subPath: WORKSPACE_SUBPATH, readOnly: true },
          { name: 'workspace', mountPath: BUILD_CONTEXT_DIR, subPath: BUILD_SUBPATH, readOnly: true },
        ],
      }],
      volumes: [{ name: 'workspace', persistentVolumeClaim: { claimName: kubeNames(ws.id).pvc } }],
    },
  };
}

/**
 * A helper pod that waits (until deleted) so the driver can read local Feature folders out of the
 * clone (`git archive`, binary-safe) and write the generated build context into the PVC.
 */
export function featuresPodSpec(ws: DriverWorkspace, agent: KubernetesAgent, namespace: string, gitImage: string): V1Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: kubeNames(ws.id).features, namespace, labels: kubeLabels(ws, { ...agent.labels, 'workbay.dev/helper': 'features' }) },
    spec: {
      restartPolicy: 'Never',
      ...(Object.keys(agent.nodeSelector).length ? { nodeSelector: agent.nodeSelector } : {}),
      containers: [{
        name: 'features', image: gitImage, command: ['/bin/sh', '-c', 'trap "exit 0" 15; while sleep 1 & wait $!; do :; done'],
        volumeMounts: [
          { name: 'workspace', mountPath: '/workspace', subPath: WORKSPACE_SUBPATH, readOnly: true },
          { name: 'workspace', mountPath: BUILD_CONTEXT_DIR, subPath: BUILD_SUBPATH },
        ],
      }],
      volumes: [{ name: 'workspace', persistentVolumeClaim: { claimName: kubeNames(ws.id).pvc } }],
    },
  };
}
