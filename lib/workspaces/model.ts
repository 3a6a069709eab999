/**
 * The workspace domain model (DESIGN §2): a leaf module — it imports nothing — that the store, the
 * drivers, the API and the workspace services share.
 */

export type WorkspaceStatus =
  | 'Pending' | 'Creating' | 'Running' | 'Stopping' | 'Stopped' | 'Starting' | 'Deleting' | 'Error';
export type DesiredState = 'Running' | 'Stopped' | 'Deleted';
export type StopReason = 'user' | 'inactivity' | 'error' | 'admin';
export type ActivitySource = 'api' | 'exec' | 'container' | 'start';
export type WorkspaceSource = { image: string } | { git: { url: string; ref?: string } };

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

/** True while the observed status differs from the desired state (and no error waits for a person). */
export function needsWork(ws: WorkspaceRecord): boolean {
  // A delete that failed for good waits in Error too (a retry, or an admin's force), instead of looping.
  if (ws.status === 'Error') return false;
  if (ws.desiredState === 'Deleted') return true;
  return ws.desiredState !== ws.status;
}
