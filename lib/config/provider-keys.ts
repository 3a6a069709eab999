import { Issues, show, type FieldPath } from './issues';

/** Top-level keys of DevPod's provider.yaml. */
export const TOP_LEVEL_KEYS = new Set([
  'name', 'version', 'description', 'icon', 'home', 'options', 'optionGroups', 'agent', 'exec', 'binaries',
  // workbay's own section (policy); DevPod ignores unknown top-level keys, so the file still loads there.
  'workbay',
]);
/** DevPod top-level keys with no meaning here: kept in `extra` without a warning. */
export const TOP_LEVEL_QUIET = new Set(['iconDark', 'source', 'type']);

/** `agent.*` keys workbay reads. */
export const AGENT_KEYS = new Set(['driver', 'path', 'local', 'containerInactivityTimeout', 'docker', 'kubernetes']);
/** `agent.*` keys DevPod knows that do nothing here; each gets a warning saying so. */
export const AGENT_UNUSED = new Set([
  'dataPath', 'downloadURL', 'injectGitCredentials', 'injectDockerCredentials', 'binaries', 'exec',
  'custom', 'dockerless', 'dockerlessImage', 'inactivityTimeout',
]);

/** `agent.docker.*` keys. */
export const DOCKER_KEYS = new Set(['path', 'install', 'builder', 'env']);

/** The Kubernetes keys on the DevPod drivers page, plus `storageClassName` and later A-era keys. */
export const KUBERNETES_KEYS = new Set([
  'path', 'namespace', 'context', 'config', 'clusterRole', 'serviceAccount', 'buildRepository',
  'helperImage', 'buildkitImage', 'buildkitPrivileged', 'persistentVolumeSize', 'createNamespace',
  'storageClassName', 'nodeSelector', 'resources', 'labels', 'podManifestTemplate', 'pvcAccessMode',
  'architecture',
  // Later DevPod keys; provider-notes.ts warns about each one the driver does not apply.
  'inactivityTimeout', 'podTimeout', 'pvcAnnotations', 'workspaceVolumeMount', 'strictSecurity',
  'kubernetesPullSecretsEnabled', 'buildkitNodeSelector', 'buildkitResources', 'helperResources',
]);
/** DevPod's newer (client-go era) spellings, mapped onto the page's names. */
export const KUBERNETES_ALIASES: Readonly<Record<string, string>> = {
  kubernetesNamespace: 'namespace',
  kubernetesContext: 'context',
  kubernetesConfig: 'config',
  diskSize: 'persistentVolumeSize',
  storageClass: 'storageClassName',
};
/** DevPod Kubernetes keys accepted but not used; each gets a warning. */
export const KUBERNETES_UNUSED = new Set<string>([]);

function isKubernetesKey(key: string): boolean {
  return KUBERNETES_KEYS.has(key) || Object.hasOwn(KUBERNETES_ALIASES, key) || KUBERNETES_UNUSED.has(key);
}

/** True for a top-level key of the page's flat form. */
export function isFlatKey(key: string): boolean {
  return key === 'driver' || key === 'containerInactivityTimeout' || key === 'install' || key === 'command' || isKubernetesKey(key);
}

/** Records where each normalised field came from, for line numbers in later errors. */
export type RecordSource = (field: string, source: FieldPath) => void;

/** A plain-object check that excludes arrays and null. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property, even one named `__proto__`, without touching the prototype. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Moves the page's flat top-level driver keys into DevPod's nested `agent` and `exec`.
 *
 * `path` is the one ambiguous key: `${DEVPOD}` is the agent binary (`agent.path`), anything else is
 * the driver's binary (`agent.docker.path` or `agent.kubernetes.path`, by `driver`).
 */
export function moveFlatKeys(
  data: Record<string, unknown>,
  agent: Record<string, unknown>,
  exec: Record<string, unknown>,
  issues: Issues,
  record: RecordSource,
): void {
  const driver = data.driver ?? agent.driver;
  const driverSection = driver === 'kubernetes' ? 'kubernetes' : 'docker';
  const put = (target: Record<string, unknown>, path: string[], key: string, value: unknown) => {
    let node = target;
    for (const seg of path) {
      const child = node[seg];
      if (child !== undefined && child !== null && !isRecord(child)) {
        issues.add(`agent.${seg}`, `expected a mapping, got ${show(child)}`);
        return;
      }
      if (!isRecord(child)) node[seg] = {};
      node = node[seg] as Record<string, unknown>;
    }
    const field = [target === exec ? 'exec' : 'agent', ...path, key].join('.');
    if (key in node && !same(node[key], value)) {
      issues.add(field, `top-level "${key}" (${show(value)}) conflicts with ${field} (${show(node[key])}); set it in one place`);
      return;
    }
    node[key] = value;
    record(field, [key]);
  };
  for (const [key, value] of Object.entries(data)) {
    if (TOP_LEVEL_KEYS.has(key) || TOP_LEVEL_QUIET.has(key) || (key !== 'path' && !isFlatKey(key))) continue;
    if (key === 'driver' || key === 'containerInactivityTimeout') put(agent, [], key, value);
    else if (key === 'command') put(exec, [], key, value);
    else if (key === 'install') put(agent, ['docker'], key, value);
    else if (key === 'path') {
      if (value === '${DEVPOD}') put(agent, [], 'path', value);
      else put(agent, [driverSection], 'path', value);
    } else put(agent, ['kubernetes'], key, value);
  }
}

/**
 * Renames DevPod's newer Kubernetes spellings to the page's names, refusing two spellings of one
 * setting with different values.
 */
export function mergeKubernetesSpellings(kubernetes: Record<string, unknown>, issues: Issues, record: RecordSource, source: (field: string) => FieldPath): void {
  for (const [alias, canonical] of Object.entries(KUBERNETES_ALIASES)) {
    if (!(alias in kubernetes)) continue;
    const value = kubernetes[alias];
    if (canonical in kubernetes && !same(kubernetes[canonical], value)) {
      issues.add(
        `agent.kubernetes.${alias}`,
        `${alias} (${show(value)}) and ${canonical} (${show(kubernetes[canonical])}) are two spellings of one setting with different values; set only one`,
      );
      continue;
    }
    delete kubernetes[alias];
    if (!(canonical in kubernetes)) {
      kubernetes[canonical] = value;
      record(`agent.kubernetes.${canonical}`, source(`agent.kubernetes.${alias}`));
    }
  }
}
