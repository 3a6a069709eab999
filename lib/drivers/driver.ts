import type { Policy } from '../policy';
import type { WorkspaceSource } from '../workspaces/model';
import type { ConfigListing } from './config-search';

/** What a driver needs to know about a workspace; no store records, no policy. */
export interface DriverWorkspace {
  id: string;
  name: string;
  owner: string;
  source: WorkspaceSource;
  /** devcontainer.json text from the request; for git sources without one it is read from the repo. */
  devcontainer?: string;
  /**
   * Where devcontainer.json is in the source (`.devcontainer/python/devcontainer.json`); with
   * `devcontainer` content, the folder that content stands for. Absent: the spec's search order.
   */
  devcontainerPath?: string;
  /** The request's env map, the only source of `${localEnv:VAR}`. */
  env: Record<string, string>;
  /** The control plane that owns it, labelled on every object (orphans are collected per instance). */
  instance?: string;
}

/** What the driver sees on the engine or cluster. */
export interface Observed {
  state: 'running' | 'stopped' | 'busy';
  /** Engine-side references (container id, volume, namespace, pod, pvc...). */
  ref: Record<string, string>;
  /** The workspace folder inside the container. */
  workspaceFolder: string;
  /** The user lifecycle commands and exec run as by default (remoteUser, else containerUser). */
  user?: string;
  /** The main process's exit code when the engine reports the container stopped. */
  exitCode?: number;
}

/** One step of long work, shown live to the caller (CLI progress, events). */
export interface ProgressEvent {
  step: 'source' | 'pull' | 'build' | 'create' | 'start' | 'lifecycle' | 'stop' | 'delete';
  message: string;
}
export type Progress = (e: ProgressEvent) => void;

export interface ExecOptions {
  user?: string;
  /** Kills the command after this long; the result then has `timedOut: true` and exit code 124. */
  timeoutMs?: number;
  env?: Record<string, string>;
  workingDir?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
}

/** An interactive exec the control plane brokers (`workbay ssh`, port forwarding). */
export interface AttachOptions {
  /** argv to run; the broker builds it (login shell, sshd -i, a port forwarder, or the user's command). */
  argv: string[];
  tty: boolean;
  cols?: number;
  rows?: number;
  user?: string;
  env?: Record<string, string>;
  workingDir?: string;
  /** Runs `postAttachCommand` first, once per container start (a run-once marker inside the workspace). */
  postAttach?: boolean;
}

/** Where an attached process's output goes; stderr carries nothing with a TTY (it is merged). */
export interface AttachIO {
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
}

/** A running interactive exec. */
export interface AttachSession {
  /** Writes stdin; false means the engine is not keeping up (wait for `drained`). */
  write(data: Buffer): boolean;
  drained(): Promise<void>;
  /** Closes stdin: the process sees end of file. */
  endStdin(): void;
  resize(cols: number, rows: number): void;
  /** Stops and resumes reading output (backpressure from a slow client). */
  pause(): void;
  resume(): void;
  /** Resolves with the exit code after all output was passed on. */
  readonly done: Promise<number>;
  /** Ends the process (the client went away); resolves when it was told to stop. */
  abort(): Promise<void>;
}

/** How a person attaches to the workspace. */
export interface ConnectionInfo {
  /** argv of an interactive shell, built from the provider's `path` (docker/podman or kubectl). */
  attach: string[];
  workspaceFolder: string;
  user?: string;
  ports: (number | string)[];
  /** Extra environment for `attach` (e.g. DOCKER_HOST); never secret material. */
  env: Record<string, string>;
}

/** One labelled engine object, for the orphan collector. */
export interface ManagedObject {
  /** The workspace id from its label (lowercase on Kubernetes). */
  workspaceId: string;
  kind: 'container' | 'volume' | 'pod' | 'pvc';
  name: string;
  createdAt?: Date;
}

/**
 * The driver interface (DESIGN §4). Every verb is idempotent: create adopts what exists (by label),
 * stop/delete of something already stopped/gone succeed, find returns undefined for "missing".
 */
export interface Driver {
  readonly kind: 'docker' | 'kubernetes';
  /** The provider's policy this driver was built with and judges by; the reconciler judges the git source on it (read once per pass). */
  readonly policy: Policy;
  find(ws: DriverWorkspace): Promise<Observed | undefined>;
  /** Makes the workspace exist and run, lifecycle commands included. */
  create(ws: DriverWorkspace, progress: Progress): Promise<Observed>;
  /** Starts an existing workspace and runs `postStartCommand`. */
  start(ws: DriverWorkspace, progress: Progress): Promise<Observed>;
  stop(ws: DriverWorkspace): Promise<void>;
  delete(ws: DriverWorkspace): Promise<void>;
  exec(ws: DriverWorkspace, argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** mtime of /tmp/devpod.activity in the container; undefined when not running or absent. */
  lastActivity(ws: DriverWorkspace): Promise<Date | undefined>;
  logs(ws: DriverWorkspace, opts: { tail?: number }): Promise<string>;
  connection(ws: DriverWorkspace): Promise<ConnectionInfo>;
  /** Starts an interactive exec (stdin, output, resize, exit code) in the running workspace. */
  attach?(ws: DriverWorkspace, opts: AttachOptions, io: AttachIO): Promise<AttachSession>;
  /**
   * The `devcontainer.metadata` label of an image the engine already has, without pulling; undefined
   * when it is absent, has no label, or the engine cannot be asked now (the driver judges it later).
   */
  imageMetadata?(image: string): Promise<string | undefined>;
  /** Objects on the engine or cluster labelled with this control plane's `instance` (orphan collection). */
  listManaged?(instance: string): Promise<ManagedObject[]>;
  /**
   * The dev container configurations of a git repository, found by a throwaway helper on the engine
   * (shallow clone, bounded in count and time) that is removed afterwards.
   */
  listConfigs?(source: { url: string; ref?: string }): Promise<ConfigListing>;
  /** Releases clients (sockets, agents). */
  close?(): Promise<void>;
}

/** Deterministic object names: an orphan can always be found (DESIGN §4). */
export const objectName = (wsId: string) => `workbay-${wsId.toLowerCase()}`;

/** Labels every engine object carries. */
export const LABELS = {
  workspaceId: 'workbay.dev/workspace-id',
  managedBy: 'workbay.dev/managed-by',
  owner: 'workbay.dev/owner',
  devcontainerId: 'dev.containers.id',
  metadata: 'devcontainer.metadata',
  instance: 'workbay.dev/instance',
} as const;

/** DevPod's activity file; its mtime is the in-container activity signal. */
export const ACTIVITY_FILE = '/tmp/devpod.activity';
