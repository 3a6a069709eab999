/**
 * The workspace domain model (DESIGN §2): a leaf module — it imports nothing — that the store, the
 * drivers, the API and the workspace services share.
 */

export type WorkspaceStatus =
  | 'Pending' | 'Creating' | 'Running' | 'Stopping' | 'Stopped' | 'Starting' | 'Deleting' | 'Error';
export type DesiredState = 'Running' | 'Stopped' | 'Deleted';
export type StopReason = 'user' | 'inactivity' | 'error' | 'admin' | 'maxLifetime';
export type DeleteReason = 'user' | 'admin' | 'retention';
export type ActivitySource = 'api' | 'exec' | 'container' | 'start';
/**
 * Where the workspace's files come from: an image, a git repository, or a folder uploaded by the CLI
 * (`workbay up ./folder`; `folder` is its path on the user's machine, `sha256` and `size` the archive's).
 */
export type WorkspaceSource =
  | { image: string }
  | { git: { url: string; ref?: string } }
  | { upload: { id: string; folder?: string; sha256?: string; size?: number } };

/** A workspace record (DESIGN §2). */
export interface WorkspaceRecord {
  id: string;
  name: string;
  owner: string;
  provider: string;
  driver: 'docker' | 'kubernetes';
  source: WorkspaceSource;
  /** The devcontainer.json text as submitted (parsed again at use; it is the user's document). */
  devcontainer?: string;
  /** Where devcontainer.json is in the source; absent = the spec's search order. */
  devcontainerPath?: string;
  options: Record<string, string>;
  /** Names in `options` of the provider's `password` options: masked in every view. */
  secretOptions?: string[];
  env: Record<string, string>;
  desiredState: DesiredState;
  status: WorkspaceStatus;
  statusReason?: string;
  stopReason?: StopReason;
  inactivityTimeoutSeconds: number;
  inactivityTimeoutSource: 'provider' | 'workspace';
  lastActivityAt?: string;
  lastActivitySource?: ActivitySource;
  idleDeadline?: string;
  /** The deadline an idle warning was sent for (one warning per deadline). */
  idleWarningFor?: string;
  /** Seconds a Stopped workspace is kept before it is deleted; 0 = on stop; absent = never (see lifecycle-deadlines). */
  retentionSeconds?: number;
  retentionSource?: 'provider' | 'workspace';
  /** How long before a retention delete the `workspace.retention-warning` event goes out (the provider's, at create). */
  retentionWarningSeconds?: number;
  /** The delete deadline a retention warning was sent for (one warning per deadline). */
  retentionWarningFor?: string;
  /** Seconds a Running workspace may run after its start whatever its activity; absent = never. */
  maxLifetimeSeconds?: number;
  maxLifetimeSource?: 'provider' | 'workspace';
  /** Exempt from retention (set by an admin, or by the owner where the provider allows it). */
  keep?: boolean;
  /** When it last became Running, and Stopped: what maximum lifetime and retention count from. */
  startedAt?: string;
  stoppedAt?: string;
  deleteReason?: DeleteReason;
  /**
   * Events written with the state change they report, until a later writer knows they reached the
   * log and the outbox: a process dying between the two writes leaves them here, and the next
   * reconcile pass (or the delete) writes them under the same id (lib/workspaces/pending-events.ts).
   */
  pendingEvents?: PendingEvent[];
  /** The id its `workspace.deleted` event takes, fixed before the record is removed so a resumed delete sends it once. */
  deleteEventId?: string;
  driverRef?: Record<string, string>;
  leaseOwner?: string;
  leaseUntil?: string;
  idempotencyKey?: string;
  /** Consecutive retryable failures of the current step (engine unreachable...). */
  attempts?: number;
  /** Reconcile passes begun and never finished (the process died mid-pass); see lib/workspaces/poison.ts. */
  unfinishedPasses?: number;
  /** Times the container was found stopped or missing outside workbay and started again, and when last. */
  driftRestarts?: number;
  lastDriftAt?: string;
  /** The control plane that made it (its engine objects carry this as a label). */
  instance?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** An event as it rides on the record until it is known to be written (see `pendingEvents`). */
export interface PendingEvent {
  id: string;
  at: string;
  type: string;
  message: string;
  actor?: string;
  data?: Record<string, unknown>;
}

/** True while the observed status differs from the desired state (and no error waits for a person). */
export function needsWork(ws: WorkspaceRecord): boolean {
  // A delete that failed for good waits in Error too (a retry, or an admin's force), instead of looping.
  if (ws.status === 'Error') return false;
  if (ws.desiredState === 'Deleted') return true;
  return ws.desiredState !== ws.status;
}

/** DevPod's built-in workspace variables for a workspace id; the UID is lowercase, as object names are. */
export function workspaceBuiltins(id: string): { WORKSPACE_ID: string; WORKSPACE_UID: string } {
  return { WORKSPACE_ID: id, WORKSPACE_UID: id.toLowerCase() };
}
