import type { Policy } from '../policy/types';

/** The option types DevPod knows. `multiline` is a string shown in a bigger box. */
export type OptionType = 'string' | 'multiline' | 'duration' | 'number' | 'boolean';

/** One provider option, as DevPod's provider.yaml declares it (`options.NAME`). */
export interface OptionDef {
  description?: string;
  displayName?: string;
  /** A value must be set (or defaulted) before the provider can be used. */
  required?: boolean;
  /** A secret: mask its value whenever it is shown. */
  password?: boolean;
  type?: OptionType;
  /** Allowed values. */
  enum?: string[];
  /** Values offered in a UI, not enforced. */
  suggestions?: string[];
  default?: string;
  /** DevPod runs this locally to compute a value. Stored and shown; workbay never runs it. */
  command?: string;
  /** A regular expression the value must match (unanchored, like DevPod's Go regexp). */
  validationPattern?: string;
  /** The message shown when `validationPattern` does not match. */
  validationMessage?: string;
  hidden?: boolean;
  local?: boolean;
  global?: boolean;
  mutable?: boolean;
  /**
   * workbay's marker (DevPod ignores it): a workspace may set this option per workspace. Absent or
   * false, only admins set it, once per provider. `global: true` wins: never per workspace.
   */
  userSettable?: boolean;
  /** DevPod's cache duration for `command` results. Stored only. */
  cache?: string;
}

/** The provider's driver-independent agent settings plus both drivers' sections. */
export interface ResolvedAgent {
  driver: 'docker' | 'kubernetes';
  /** DevPod's agent binary path (`agent.path`, typically `${DEVPOD}` = `workbay`). */
  path?: string;
  local?: boolean;
  /** 0 means never stop for inactivity. */
  containerInactivityTimeoutSeconds: number;
  docker: DockerAgent;
  kubernetes: KubernetesAgent;
}

/** `agent.docker`. */
export interface DockerAgent {
  /** The Docker CLI (or Podman) named in connection info; default `docker`. */
  path: string;
  /** Install the engine on an `ssh://` host that lacks one; default false. */
  install: boolean;
  builder?: string;
  /** Environment for talking to the engine, notably `DOCKER_HOST`. */
  env: Record<string, string>;
}

/** The PVC access modes Kubernetes knows. */
export type PvcAccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';

/** `agent.kubernetes`, with DevPod's old and new spellings merged. */
export interface KubernetesAgent {
  /** The kubectl binary named in connection info; default `kubectl`. */
  path: string;
  namespace: string;
  context: string;
  /** Kubeconfig: a secret reference or a file path. */
  config: string;
  clusterRole: string;
  serviceAccount: string;
  /** Empty: never build images. */
  buildRepository: string;
  helperImage: string;
  buildkitImage: string;
  buildkitPrivileged: boolean;
  /** A validated Kubernetes quantity; default `10Gi`. */
  persistentVolumeSize: string;
  /** Default false. */
  createNamespace: boolean;
  storageClassName: string;
  /** Default `ReadWriteOnce`; DevPod's short forms (RWO, ROX, RWX, RWOP) are expanded. */
  pvcAccessMode: PvcAccessMode;
  nodeSelector: Record<string, string>;
  /** DevPod's `requests.cpu=500m,limits.memory=2Gi` form, validated (see parseResources). */
  resources?: string;
  labels: Record<string, string>;
  podManifestTemplate?: string;
  architecture?: string;
  /** DevPod's `podTimeout`: how long to wait for the workspace pod to run. Absent: 300 s. */
  podTimeoutSeconds?: number;
  /** Extra annotations on the workspace PVC (DevPod's `pvcAnnotations`, `k=v,k2=v2`). */
  pvcAnnotations?: Record<string, string>;
  /** Read and shown only: see docs/providers.md for what workbay does instead. */
  workspaceVolumeMount?: string;
  /** workbay never forces a root security context, so pods always meet `strictSecurity: true`. */
  strictSecurity?: boolean;
  /** Read and shown only: workbay does not copy local registry credentials into pull secrets. */
  kubernetesPullSecretsEnabled?: boolean;
  /** Node selector of the buildkit pod. */
  buildkitNodeSelector?: Record<string, string>;
  /** Resources of the buildkit container, in the `resources` form. */
  buildkitResources?: string;
  /** Read and shown only: helper pods get no resources. */
  helperResources?: string;
}

/** A parsed provider file: options and agent as written (unresolved), plus what we noticed. */
export interface ProviderDefinition {
  name: string;
  version?: string;
  description?: string;
  icon?: string;
  home?: string;
  options: Record<string, OptionDef>;
  optionGroups?: unknown[];
  /** The agent in DevPod's nested form (flat files are normalised into it), `${NAME}`s unresolved. */
  agent: Record<string, unknown>;
  /** DevPod's exec commands, verbatim. Never run by workbay. */
  exec: Record<string, unknown>;
  binaries?: Record<string, unknown>;
  /** Top-level keys workbay does not know, kept as written. */
  extra?: Record<string, unknown>;
  /** The `workbay.policy` section: what users may ask for (DEFAULT_POLICY when absent). */
  policy: Policy;
  /** Human-readable notes: unknown keys, ignored settings, commands that will not run. */
  warnings: string[];
}

/** A provider with option values applied and the agent typed. */
export interface ResolvedProvider {
  definition: ProviderDefinition;
  /** Effective values: the set value, else the default. Options with neither are absent. */
  values: Record<string, string>;
  /** Only the values the caller set. */
  setValues: Record<string, string>;
  agent: ResolvedAgent;
}

/** Workspace-scoped `${NAME}`s; those not supplied stay as literal `${NAME}` text. */
export type ProviderBuiltins = Partial<Record<'WORKSPACE_ID' | 'WORKSPACE_UID' | 'PROVIDER_ID' | 'MACHINE_ID', string>>;
