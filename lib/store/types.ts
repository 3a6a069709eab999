/** Stored shapes. The store knows items and keys, not drivers (DESIGN §1). */

export type Role = 'admin' | 'user';

/** An admin-added provider: its source YAML is kept so it can be re-resolved when options change. */
export interface ProviderRecord {
  name: string;
  yaml: string;
  /** Option values set by an admin (`-o KEY=VALUE`, set-options); defaults are not copied here. */
  optionValues: Record<string, string>;
  /** Set while a delete is checking whether the provider is still used. */
  deleting?: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** An API token, stored by the SHA-256 of its secret only. */
export interface TokenRecord {
  hash: string;
  /** Short public prefix, so people can tell their tokens apart without the secret. */
  prefix: string;
  owner: string;
  role: Role;
  description?: string;
  createdAt: string;
  /** When the token stops working (ISO time); absent = never. */
  validUntil?: string;
  /** Last successful authentication, written at most about once a minute (ISO time). */
  lastUsedAt?: string;
  /** The embedded or seeded bootstrap admin token, retired when a new one is configured. */
  bootstrap?: boolean;
}

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

/** An audit event of a workspace. */
export interface EventRecord {
  id: string;
  workspaceId: string;
  type: string;
  message: string;
  actor?: string;
  data?: Record<string, unknown>;
  at: string;
}
