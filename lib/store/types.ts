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

export type { ActivitySource, DesiredState, StopReason, WorkspaceRecord, WorkspaceSource, WorkspaceStatus } from '../workspaces/model';

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
