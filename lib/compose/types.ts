/**
 * The Compose project workbay runs: the subset of the Compose specification dev containers use,
 * loaded (files merged in order, `${VAR}` interpolated, relative paths resolved against the source
 * root) and validated. The loader (lib/compose) produces it; the Docker driver's compose engine
 * (lib/drivers/docker/compose) runs it over the Engine API. Nothing here touches an engine.
 */

/** A path inside the workspace source, relative to its root and normalised (posix, no `..` above the root). */
export type SourcePath = string;

/** `build:` of a service. */
export interface ComposeBuild {
  /** Build context within the source. */
  context: SourcePath;
  /** Dockerfile path within the source (already joined with `context`). */
  dockerfile: SourcePath;
  args: Record<string, string>;
  target?: string;
}

/** One entry of a service's `volumes:`. */
export type ComposeVolumeMount =
  /** A named volume of the project (`db-data:/var/lib/db`), its name before project prefixing. */
  | { type: 'volume'; source: string; target: string; readOnly: boolean }
  /** An anonymous volume (`/var/lib/x`). */
  | { type: 'anonymous'; target: string; readOnly: boolean }
  /**
   * A bind of a path inside the source (`..:/workspaces/app`, `./data:/data`): run from the
   * workspace volume, never from the engine host's filesystem.
   */
  | { type: 'source'; source: SourcePath; target: string; readOnly: boolean }
  /** A bind of an absolute host path (`/var/run/docker.sock:/var/run/docker.sock`): judged by the policy. */
  | { type: 'host'; source: string; target: string; readOnly: boolean };

/** `healthcheck:` with durations in milliseconds. */
export interface ComposeHealthcheck {
  /** `["CMD", …]`, `["CMD-SHELL", "…"]` or `["NONE"]`, as the Engine API takes it. */
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
}

/** `depends_on:` in its long form. */
export interface ComposeDependency {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  required: boolean;
}

/** One service, normalised. */
export interface ComposeService {
  name: string;
  image?: string;
  build?: ComposeBuild;
  /** `environment` merged over `env_file` contents (env files read from the source). */
  environment: Record<string, string>;
  command?: string[];
  entrypoint?: string[];
  workingDir?: string;
  user?: string;
  volumes: ComposeVolumeMount[];
  dependsOn: Record<string, ComposeDependency>;
  healthcheck?: ComposeHealthcheck;
  capAdd: string[];
  capDrop: string[];
  securityOpt: string[];
  privileged: boolean;
  init?: boolean;
  /** Project networks the service joins, with aliases; empty means the project's `default` network. */
  networks: Record<string, { aliases: string[] }>;
  /** `network_mode`: `service:<name>`, `none`, `host`, or `bridge`; absent means project networks. */
  networkMode?: string;
  labels: Record<string, string>;
  /** `ports:` kept for display only: workbay publishes nothing on the engine host. */
  ports: string[];
  tty: boolean;
  stdinOpen: boolean;
}

/** A loaded project. */
export interface ComposeProject {
  /** The project name (workbay uses the workspace's object name). */
  name: string;
  services: Record<string, ComposeService>;
  /** Top-level `volumes:` (names before prefixing); `external: true` ones are not created or removed. */
  volumes: Record<string, { external: boolean; name?: string; labels: Record<string, string> }>;
  /** Top-level `networks:`; `default` is always present unless every service uses network_mode. */
  networks: Record<string, { external: boolean; name?: string; internal: boolean; labels: Record<string, string> }>;
  /** The compose files, in merge order, as paths within the source (for messages and labels). */
  files: SourcePath[];
  /** Notes for the user: keys accepted but without effect (e.g. `ports`). */
  warnings: string[];
}
