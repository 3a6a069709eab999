/** The API's JSON shapes, as far as the portal reads them (see GET /openapi.json). */
import type { z } from 'zod';
import type { Workspace as WorkspaceSchema } from '../../lib/api/schemas';

/** A workspace as GET /v1/workspaces/{id} returns it: the API's own schema, imported for its type only. */
export type Workspace = z.infer<typeof WorkspaceSchema>;

/** Workspace statuses (DESIGN §2). */
export type Status = Workspace['status'];

/** One audit or progress event. */
export interface EventView { id: string; type: string; message: string; at: string; actor?: string }

/** How to attach to a running workspace. */
export interface Connection { attach: string[]; workspaceFolder: string; user?: string; ports: (number | string)[]; env: Record<string, string> }

/** One provider option as the API shows it (password values already masked). */
export interface OptionView { name: string; value?: string; source: string; password?: boolean; description?: string }

/** A provider, secrets masked by the API. */
export interface Provider {
  name: string;
  driver: string;
  description?: string;
  inactivityTimeoutSeconds: number;
  options: OptionView[];
  warnings: string[];
  policy?: { maxInactivityTimeoutSeconds?: number } & Record<string, unknown>;
}

/** A token as GET /v1/tokens lists it (never the secret). */
export interface TokenInfo {
  prefix: string; owner: string; role: 'admin' | 'user'; description?: string;
  createdAt: string; lastUsedAt?: string; expiresAt?: string; expired: boolean; bootstrap: boolean;
}

/** GET /v1/providers/{name}/devcontainers: a repository's configs in the spec's search order. */
export interface ConfigListing {
  items: { path: string; name?: string }[];
  /** What a create without devcontainerPath runs; absent when a choice is needed. */
  default?: string;
  truncated?: boolean;
}

/** What every page of the portal gives the router. */
export interface View {
  /** The page's content, put into <main>. */
  el: HTMLElement;
  /** Focused after navigation, so keyboard and screen reader users start at the page's heading. */
  focus?: HTMLElement;
  /** Stops the page's timers when another page replaces it. */
  dispose(): void;
}
