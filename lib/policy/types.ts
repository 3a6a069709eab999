import type { DevcontainerConfig } from '../config';
import { DEFAULT_LIFECYCLE, type LifecyclePolicy } from './lifecycle';
import type { RegistryLogin } from './registries';

/** A mount type a policy may allow. */
export type MountType = 'bind' | 'volume' | 'tmpfs';

/** A resource default and ceiling; either may be absent. CPUs in millicores, memory in bytes. */
export interface ResourceRule {
  default?: number;
  max?: number;
}

/**
 * What a provider lets users ask for (the `workbay.policy` section of provider.yaml). Deny by
 * default: an empty list allows nothing beyond the safe baseline; see DEFAULT_POLICY.
 */
export interface Policy {
  mounts: {
    /** Mount types users may ask for. */
    types: MountType[];
    /** Host path prefixes users may bind (a bind needs `bind` in `types` and a matching prefix). */
    hostPaths: string[];
  };
  privileged: boolean;
  /** Capabilities users may add (`--cap-add`, `capAdd`), upper case without `CAP_`; `ALL` allows any. */
  capabilities: string[];
  /** `--security-opt` values users may pass, matched exactly or by a `key=` prefix entry such as `seccomp=`. */
  securityOptions: string[];
  /** Network modes beyond `none`/`bridge`/`default` (e.g. `host`, a named network). */
  networks: string[];
  /** Host device path prefixes users may pass with `--device`. */
  devices: string[];
  /** Host namespaces users may share (`pid`, `ipc`). */
  hostNamespaces: ('pid' | 'ipc')[];
  /** Image reference prefixes users may run; empty allows any image. */
  images: string[];
  /**
   * Git sources users may clone (`source.git`, config listings), as `[scheme://]host[:port][/path]`
   * entries matched on the normalised URL (lib/policy/git-sources.ts); empty allows any repository.
   */
  gitSources: string[];
  resources: { cpus: ResourceRule; memory: ResourceRule };
  /** Longest inactivity timeout a workspace may ask for, in seconds; 0 = no ceiling. */
  maxInactivityTimeoutSeconds: number;
  /** Per owner and provider; 0 = no limit. */
  quotas: { workspaces: number; running: number };
  /** Scheduled cleanup: retention of Stopped workspaces, maximum lifetime of Running ones (`workbay.lifecycle`). */
  lifecycle: LifecyclePolicy;
  /** Credentials for private registries by host (`workbay.registries`), passwords as secret references. */
  registries?: Record<string, RegistryLogin>;
}

/** The policy of a provider without a `workbay.policy` section: named volumes and tmpfs, nothing else. */
export const DEFAULT_POLICY: Policy = Object.freeze({
  mounts: { types: ['volume', 'tmpfs'], hostPaths: [] },
  privileged: false,
  capabilities: [],
  securityOptions: [],
  networks: [],
  devices: [],
  hostNamespaces: [],
  images: [],
  gitSources: [],
  resources: { cpus: {}, memory: {} },
  maxInactivityTimeoutSeconds: 0,
  quotas: { workspaces: 0, running: 0 },
  lifecycle: DEFAULT_LIFECYCLE,
}) as Policy;

/** One refused ask: the field as the user wrote it and the rule that refuses it. */
export interface Violation {
  /** e.g. `devcontainer.mounts[0]`, `devcontainer.runArgs[2]`, `image.metadata[1].privileged`, `image`. */
  field: string;
  /** The policy rule, e.g. `policy.privileged`, `policy.mounts.hostPaths`. */
  rule: string;
  message: string;
  /** What the user can do about it, when there is something to say beyond the message. */
  hint?: string;
}

/**
 * The configuration a workspace would run with, merged from every source that can ask for
 * something: the devcontainer.json (parsed, variables substituted) and the image's
 * `devcontainer.metadata` label (a JSON array of entries). Features will add entries here.
 */
export interface MergedConfig {
  /** The image reference that will run (or the base of a build, when known). */
  image?: string;
  devcontainer?: DevcontainerConfig;
  /** The `devcontainer.metadata` label text, or its parsed entries. */
  metadata?: string | unknown[];
}
