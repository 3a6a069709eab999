/**
 * How long drivers wait and how often they try again, in one place (DESIGN §1: drivers decide no
 * timeouts of their own). The process builds one `DriverTimings` at start (settings may override
 * some, see lib/settings.ts) and `createDriver` hands it to each driver's constructor.
 */
export interface DriverTimings {
  /** Seconds a stopping container gets between SIGTERM and SIGKILL (`docker stop -t`; Compose services too). */
  stopGraceSeconds: number;
  /** Seconds a deleted pod gets to exit (`gracePeriodSeconds`). */
  podDeleteGraceSeconds: number;
  /** Bound on waiting for a deleted pod to be gone, in ms. */
  podDeleteTimeoutMs: number;
  /** Bound on a workspace, buildkit or Features pod reaching Running, in ms (a provider's `podTimeout` wins for the workspace pod). */
  podStartTimeoutMs: number;
  /** Bound on a helper pod that runs to completion (git clone, file reads), in ms. */
  helperPodTimeoutMs: number;
  /** Bound on the architecture probe pod (a one-line `uname -m`), in ms. */
  archProbeTimeoutMs: number;
  /** Bound on one image build in a buildkit pod, in ms. */
  buildTimeoutMs: number;
  /** Pause between polls of a pod's phase, in ms. */
  podPollMs: number;
  /** Retries of a volume removal the engine answers "in use" (a concurrent container removal is finishing). */
  volumeRemoveRetries: number;
  /** Pause between those retries, in ms. */
  volumeRemoveDelayMs: number;
  /** Retries of a Kubernetes write that meets a 409 conflict (another writer changed the object). */
  conflictRetries: number;
  /** Bound on the best-effort read of an image's metadata label before a create, in ms. */
  imageInspectTimeoutMs: number;
  /** A container started this recently whose log is empty is read again (Podman writes first lines late), in ms. */
  lateLogWindowMs: number;
  /** How many times, and how far apart (ms), such a log is read again. */
  lateLogAttempts: number;
  lateLogDelayMs: number;
  /** Bound on an SSH engine's handshake, and the keepalive interval of its connection, in ms. */
  sshReadyTimeoutMs: number;
  sshKeepaliveMs: number;
  /** Retries of a file read Podman answers "no such container" for while it mounts a running container's storage, and the pause (ms). */
  archiveReadRetries: number;
  archiveReadDelayMs: number;
}

/** The defaults: what the drivers did before these were settings. */
export const DEFAULT_DRIVER_TIMINGS: Readonly<DriverTimings> = Object.freeze({
  stopGraceSeconds: 10,
  podDeleteGraceSeconds: 5,
  podDeleteTimeoutMs: 120_000,
  podStartTimeoutMs: 300_000,
  helperPodTimeoutMs: 300_000,
  archProbeTimeoutMs: 120_000,
  buildTimeoutMs: 1_800_000,
  podPollMs: 200,
  volumeRemoveRetries: 20,
  volumeRemoveDelayMs: 250,
  conflictRetries: 5,
  imageInspectTimeoutMs: 3_000,
  lateLogWindowMs: 10_000,
  lateLogAttempts: 20,
  lateLogDelayMs: 100,
  sshReadyTimeoutMs: 20_000,
  sshKeepaliveMs: 15_000,
  archiveReadRetries: 4,
  archiveReadDelayMs: 250,
});

/** The defaults with the given overrides (settings set only what an operator chose). */
export function driverTimings(overrides: Partial<DriverTimings> = {}): DriverTimings {
  const defined = Object.entries(overrides).filter(([, v]) => v !== undefined);
  return { ...DEFAULT_DRIVER_TIMINGS, ...Object.fromEntries(defined) };
}
