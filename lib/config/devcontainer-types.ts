/**
 * One lifecycle hook, normalised: a list of commands run in parallel. Each entry is either a shell
 * command line (`shell`, run as `/bin/sh -c <shell>`) or an argv run without a shell. Entries from
 * the object form carry their `name`.
 */
export type LifecycleCommand = { name?: string; argv?: string[]; shell?: string }[];

/** The lifecycle hooks, in the order the reference CLI runs them. */
export const LIFECYCLE_HOOKS = [
  'onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand', 'postAttachCommand',
] as const;
/** The name of one lifecycle hook. */
export type LifecycleHook = (typeof LIFECYCLE_HOOKS)[number];

/** A mount, from Docker's `--mount` string form or the object form. */
export interface DevcontainerMount {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Volume name or host path; absent for tmpfs and anonymous volumes. */
  source?: string;
  /** Absolute path in the container (may still hold `${containerWorkspaceFolder}`). */
  target: string;
  readonly?: boolean;
}

/**
 * Where one security-relevant setting was asked for (`runArgs[2]`, `privileged`, `capAdd[0]`), so a
 * policy refusal can name the field the user wrote.
 */
export interface RunArgOrigin {
  field: string;
  /** The docker run flag it amounts to: `--privileged`, `--cap-add`, `--security-opt`, `--network`, `--mount`, `--device`, `--pid`, `--ipc`, `--init`. */
  flag: string;
  value?: string;
  /** Index into `mounts` for `--mount`/`-v`. */
  mount?: number;
}

/** The supported subset of `runArgs`, typed. */
export interface DevcontainerRunArgs {
  network?: string;
  capAdd: string[];
  securityOpt: string[];
  privileged: boolean;
  labels: Record<string, string>;
  env: Record<string, string>;
  /** From `--mount`, `-v`/`--volume`. */
  mounts?: DevcontainerMount[];
  /** From `--device` (host device paths). */
  devices?: string[];
  /** `--pid` / `--ipc` (e.g. `host`). */
  pid?: string;
  ipc?: string;
  /** `--init` (or the spec's top-level `init`). */
  init?: boolean;
  /** `--platform os/arch[/variant]`: the image variant pulled, built and run. */
  platform?: string;
  /** Where each security-relevant setting came from (what the policy judges). */
  origins?: RunArgOrigin[];
}

/** `build` (or the legacy top-level `dockerFile`/`context`). Paths are relative to devcontainer.json. */
export interface DevcontainerBuild {
  dockerfile: string;
  /** Default `.`. */
  context: string;
  args: Record<string, string>;
  target?: string;
  /** From `build.options`: the supported subset (`--no-cache`, `--pull`) applied to the engine's build. */
  noCache?: boolean;
  pull?: boolean;
}

/** `hostRequirements`; see hostRequirementsToResources for Kubernetes. */
export interface DevcontainerHostRequirements {
  cpus?: number;
  /** As written, e.g. `8gb`. */
  memory?: string;
  storage?: string;
}

/** A forwarded port: a number, or `"host:port"`. */
export type DevcontainerPort = number | string;

/** The Compose keys of a devcontainer.json (`dockerComposeFile`, `service`, …), run by lib/compose and the Docker driver. */
export interface DevcontainerCompose {
  /** `dockerComposeFile` as written (one or several), relative to the devcontainer.json folder, merged in order. */
  files: string[];
  /** The service workbay connects to: Features, lifecycle hooks and exec apply to it. */
  service: string;
  /** Services to start (the dev service always is); absent means all of them. */
  runServices?: string[];
  /** What stop does: `stopCompose` (default) stops every service, `none` only the dev service. */
  shutdownAction: 'none' | 'stopCompose';
}

/** A validated devcontainer.json; exactly one of `image`, `build` and `dockerCompose` is set. */
export interface DevcontainerConfig {
  name?: string;
  image?: string;
  build?: DevcontainerBuild;
  /** `dockerComposeFile` and its companions; with it, `workspaceFolder` defaults to `/`. */
  dockerCompose?: DevcontainerCompose;
  containerEnv: Record<string, string>;
  /** `null` unsets a variable, as in the spec. */
  remoteEnv: Record<string, string | null>;
  mounts: DevcontainerMount[];
  workspaceFolder?: string;
  workspaceMount?: DevcontainerMount;
  /** From `runArgs`, plus the spec's top-level `privileged`, `capAdd` and `securityOpt`. */
  runArgs: DevcontainerRunArgs;
  /** Default true (false with dockerComposeFile): keep the container alive with a sleep loop instead of the image's command. */
  overrideCommand: boolean;
  containerUser?: string;
  remoteUser?: string;
  forwardPorts: DevcontainerPort[];
  appPort: DevcontainerPort[];
  onCreateCommand?: LifecycleCommand;
  updateContentCommand?: LifecycleCommand;
  postCreateCommand?: LifecycleCommand;
  postStartCommand?: LifecycleCommand;
  postAttachCommand?: LifecycleCommand;
  hostRequirements?: DevcontainerHostRequirements;
  /** Feature reference -> options (a version string, a boolean, or an options object), installed at build. */
  features: Record<string, unknown>;
  /** Feature ids (without version) to install first, in this order. */
  overrideFeatureInstallOrder?: string[];
  customizations: Record<string, unknown>;
  /** Unknown and ignored keys, unsupported features. */
  warnings: string[];
}

/** What substituteDevcontainerVariables fills in. */
export interface DevcontainerVariableContext {
  containerWorkspaceFolder: string;
  devcontainerId: string;
  /** The request's env map: the only source of `${localEnv:VAR}` (never the server's env). */
  env: Record<string, string>;
  /**
   * The source as the user knows it (`${localWorkspaceFolder}`): the git URL, the uploaded folder's
   * path, or the image; its last path segment (without `.git`) is `${localWorkspaceFolderBasename}`.
   */
  localWorkspaceFolder?: string;
}
