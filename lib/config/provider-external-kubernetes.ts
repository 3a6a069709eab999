import { isRecord } from './provider-keys';
import type { OptionDef } from './provider-types';
import { binaryNames } from './provider-variables';

/**
 * The options of DevPod's external Kubernetes provider (loft-sh/devpod-provider-kubernetes) and
 * the setting of workbay's Kubernetes driver each one means. That provider's binary reads every
 * option from its environment by these names (pkg/options/options.go), so the names, not the
 * agent section, carry the meaning.
 */
const OPTION_TO_FIELD: Readonly<Record<string, string>> = {
  KUBERNETES_NAMESPACE: 'kubernetes.namespace',
  KUBERNETES_CONTEXT: 'kubernetes.context',
  KUBERNETES_CONFIG: 'kubernetes.config',
  KUBECTL_PATH: 'kubernetes.path',
  DISK_SIZE: 'kubernetes.persistentVolumeSize',
  STORAGE_CLASS: 'kubernetes.storageClassName',
  PVC_ACCESS_MODE: 'kubernetes.pvcAccessMode',
  PVC_ANNOTATIONS: 'kubernetes.pvcAnnotations',
  NODE_SELECTOR: 'kubernetes.nodeSelector',
  RESOURCES: 'kubernetes.resources',
  LABELS: 'kubernetes.labels',
  POD_MANIFEST_TEMPLATE: 'kubernetes.podManifestTemplate',
  SERVICE_ACCOUNT: 'kubernetes.serviceAccount',
  CLUSTER_ROLE: 'kubernetes.clusterRole',
  CREATE_NAMESPACE: 'kubernetes.createNamespace',
  HELPER_IMAGE: 'kubernetes.helperImage',
  HELPER_RESOURCES: 'kubernetes.helperResources',
  BUILD_REPOSITORY: 'kubernetes.buildRepository',
  BUILDKIT_IMAGE: 'kubernetes.buildkitImage',
  BUILDKIT_PRIVILEGED: 'kubernetes.buildkitPrivileged',
  POD_TIMEOUT: 'kubernetes.podTimeout',
  KUBERNETES_PULL_SECRETS_ENABLED: 'kubernetes.kubernetesPullSecretsEnabled',
  STRICT_SECURITY: 'kubernetes.strictSecurity',
  ARCHITECTURE: 'kubernetes.architecture',
  WORKSPACE_VOLUME_MOUNT: 'kubernetes.workspaceVolumeMount',
  INACTIVITY_TIMEOUT: 'containerInactivityTimeout',
};

/** Its options with no counterpart here, and why. */
const NOT_MAPPED: Readonly<Record<string, string>> = {
  DOCKERLESS_IMAGE: 'workbay builds with buildkit, not DevPod\'s dockerless builder',
  DOCKERLESS_DISABLED: 'workbay builds with buildkit, not DevPod\'s dockerless builder',
  ARCH_DETECTION_POD_MANIFEST_TEMPLATE: 'workbay reads the architecture from node labels, else the helper image',
  DANGEROUSLY_OVERRIDE_IMAGE: 'workbay always runs the image the devcontainer.json names',
};

/** The provider binary's name in `binaries`, which its custom driver commands run. */
const BINARY = 'KUBERNETES_PROVIDER';

/** True for a file in the shape of loft-sh/devpod-provider-kubernetes: `driver: custom` running its binary. */
export function isExternalKubernetes(data: Record<string, unknown>, agent: Record<string, unknown>): boolean {
  if (agent.driver !== 'custom') return false;
  if (binaryNames(data.binaries, agent.binaries).has(BINARY)) return true;
  const custom = JSON.stringify(agent.custom ?? '');
  return custom.includes(`\${${BINARY}}`) || custom.includes('devpod-provider-kubernetes');
}

/**
 * Rewrites the external Kubernetes provider's agent onto workbay's Kubernetes driver (in place):
 * `driver: kubernetes`, and each declared option mapped to its setting unless the agent already
 * sets that setting. `agent.custom` stays, as a section workbay ignores.
 *
 * @param record tells the parser that a mapped field was written at the option, for line numbers.
 * @returns the warning that lists what was mapped and what was not.
 */
export function mapExternalKubernetes(
  agent: Record<string, unknown>,
  options: Record<string, OptionDef>,
  record: (field: string, from: readonly string[]) => void,
): string {
  agent.driver = 'kubernetes';
  if (!isRecord(agent.kubernetes)) agent.kubernetes = {};
  const kubernetes = agent.kubernetes as Record<string, unknown>;
  const mapped: string[] = [];
  const unmapped: string[] = [];
  for (const name of Object.keys(options)) {
    const field = OPTION_TO_FIELD[name];
    if (field === undefined) {
      if (Object.hasOwn(NOT_MAPPED, name)) unmapped.push(`${name} (${NOT_MAPPED[name]})`);
      continue;
    }
    const [section, key] = field.includes('.') ? field.split('.') as [string, string] : [undefined, field];
    const target = section ? kubernetes : agent;
    if (target[key] === undefined || target[key] === null || target[key] === '') {
      target[key] = `\${${name}}`;
      record(`agent.${field}`, ['options', name]);
    }
    mapped.push(`${name} → agent.${field}`);
  }
  const parts = [
    "this is DevPod's external Kubernetes provider (loft-sh/devpod-provider-kubernetes, driver: custom); " +
      "workbay runs it on its own Kubernetes driver and never runs the provider binary or agent.custom's commands",
    mapped.length > 0 ? `options mapped: ${mapped.join(', ')}` : 'no options to map',
  ];
  if (unmapped.length > 0) parts.push(`not applied: ${unmapped.join('; ')}`);
  return parts.join('; ');
}
