/**
 * Provider files (DevPod-compatible provider.yaml) and devcontainer.json: parse, validate, resolve.
 * Everything here is pure: no I/O, no process.env.
 */
export { parseDuration, isDuration, formatDuration, DURATION_FORMS } from './duration';
export { validateQuantity, isQuantity, parseResources, type ResourceRequirements } from './quantity';
export {
  OPTION_NAME, isDns1123Label, assertDns1123Label, isDns1123Subdomain, isLabelKey, isLabelValue, parseKeyValueList,
} from './names';
export { formatPath, type SourcePosition, type FieldPath } from './issues';
export type {
  OptionType, OptionDef, ResolvedAgent, DockerAgent, KubernetesAgent, PvcAccessMode, ProviderDefinition,
  ResolvedProvider, ProviderBuiltins,
} from './provider-types';
export { parseProviderYaml } from './provider-parse';
export { resolveProvider, loadProvider } from './provider-resolve';
export { BUILTIN_NAMES, DEVPOD_BUILTIN } from './provider-substitute';
export type {
  DevcontainerConfig, DevcontainerBuild, DevcontainerMount, DevcontainerRunArgs, DevcontainerHostRequirements,
  DevcontainerPort, DevcontainerVariableContext, LifecycleCommand, LifecycleHook, DevcontainerCompose,
} from './devcontainer-types';
export { LIFECYCLE_HOOKS } from './devcontainer-types';
export { parseDevcontainer } from './devcontainer-parse';
export { substituteDevcontainerVariables, substituteValue, substituteContainerEnv } from './devcontainer-variables';
export { mergeMetadata, envList, type MetadataMerge, type ContributedHook } from './devcontainer-metadata';
export { hostRequirementsToResources } from './devcontainer-parts';
export { SUPPORTED_RUN_ARGS } from './devcontainer-run-args';
