import { posix } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import {
  envList, mergeMetadata, parseDevcontainer, substituteContainerEnv, substituteDevcontainerVariables, substituteValue,
  type ContributedHook, type DevcontainerConfig, type DevcontainerVariableContext, type LifecycleCommand, type LifecycleHook,
} from '../config';
import type { DriverWorkspace } from './driver';

/** The devcontainer config a driver runs, with variables substituted and the workspace folder decided. */
export interface ResolvedDevcontainer {
  config: DevcontainerConfig;
  workspaceFolder: string;
  /** Directory of devcontainer.json relative to the source root (build paths are relative to it). */
  configDir: string;
  /** User for lifecycle commands and exec: remoteUser, else containerUser, else the image's. */
  user?: string;
  /** The image's `devcontainer.metadata` entries (Features' included), once known; kept on the container. */
  metadata?: unknown[];
  /** Hooks those entries contribute, run before the config's own. */
  contributed?: Partial<Record<LifecycleHook, ContributedHook[]>>;
  /** The config before the entries were merged in: its own entry of the label, as the reference CLI writes it. */
  own?: DevcontainerConfig;
  /** What the variables were filled in from (for the image's entries, substituted the same way). */
  variables: DevcontainerVariableContext;
}

/**
 * Resolves the devcontainer.json of a workspace. An image source without a devcontainer.json (or one
 * that names neither image nor build) runs that image, as `devpod up <image>` does.
 */
export function resolveDevcontainer(ws: DriverWorkspace, text: string | undefined, configDir = ws.devcontainerPath ? posix.dirname(ws.devcontainerPath) : '.devcontainer'): ResolvedDevcontainer {
  let doc = text;
  if ('image' in ws.source) {
    const obj = (doc ? parseJsonc(doc) : {}) as Record<string, unknown> | undefined;
    if (obj && typeof obj === 'object' && !obj.image && !obj.build && !obj.dockerFile && !obj.dockerComposeFile) {
      doc = JSON.stringify({ ...obj, image: ws.source.image });
    }
  }
  const parsed = parseDevcontainer(doc ?? '{}', 'devcontainer.json');
  const localWorkspaceFolder = 'git' in ws.source ? ws.source.git.url.replace(/\/+$/, '')
    : 'upload' in ws.source ? ws.source.upload.folder?.replace(/\/+$/, '') || ws.name : ws.name;
  const pre = { containerWorkspaceFolder: `/workspaces/${ws.name}`, devcontainerId: ws.id, env: ws.env, localWorkspaceFolder };
  // workspaceFolder may itself use ${localWorkspaceFolderBasename}; everything else may use the folder.
  const workspaceFolder = parsed.workspaceFolder === undefined ? pre.containerWorkspaceFolder : String(substituteValue(parsed.workspaceFolder, pre));
  const variables = { ...pre, containerWorkspaceFolder: workspaceFolder };
  const config = substituteDevcontainerVariables(parsed, variables);
  return { config, workspaceFolder: config.workspaceFolder ?? workspaceFolder, configDir, user: config.remoteUser ?? config.containerUser, variables };
}

/**
 * Merges the image's `devcontainer.metadata` entries (its label, Features included) under the
 * config per the spec, and fills in `${containerEnv:VAR}` from the image's environment. The entries
 * are kept so the container's label holds them followed by the config's own.
 */
export function withImageMetadata(r: ResolvedDevcontainer, entries: unknown[], imageEnv: string[] | null | undefined): ResolvedDevcontainer {
  const env = envList(imageEnv);
  const substituted = entries.map((e) => substituteValue(e, r.variables));
  const merged = mergeMetadata(r.config, substituted, env);
  const config = substituteContainerEnv(merged.config, env);
  return { ...r, config, own: r.config, metadata: entries, contributed: merged.contributed, user: config.remoteUser ?? config.containerUser };
}

/** What a started container needs later (start, exec), kept in a label so the container describes itself. */
export interface RuntimeMeta {
  workspaceFolder: string;
  /** True when workbay's keep-alive entrypoint runs (it creates the activity file itself). */
  overrideCommand?: boolean;
  user?: string;
  remoteEnv: Record<string, string | null>;
  onCreateCommand?: LifecycleCommand;
  updateContentCommand?: LifecycleCommand;
  postCreateCommand?: LifecycleCommand;
  postStartCommand?: LifecycleCommand;
  postAttachCommand?: LifecycleCommand;
  /** Hooks from the image's metadata and Features, run before the config's own. */
  contributed?: Partial<Record<LifecycleHook, ContributedHook[]>>;
  ports: (number | string)[];
}

/** The RuntimeMeta of a resolved config (what the container's runtime label holds). */
export function runtimeMeta(r: ResolvedDevcontainer): RuntimeMeta {
  return {
    workspaceFolder: r.workspaceFolder, overrideCommand: r.config.overrideCommand, user: r.user, remoteEnv: r.config.remoteEnv,
    onCreateCommand: r.config.onCreateCommand, updateContentCommand: r.config.updateContentCommand,
    postCreateCommand: r.config.postCreateCommand, postStartCommand: r.config.postStartCommand,
    postAttachCommand: r.config.postAttachCommand, ports: [...r.config.forwardPorts, ...r.config.appPort],
    ...(r.contributed && Object.keys(r.contributed).length ? { contributed: r.contributed } : {}),
  };
}

/** remoteEnv as exec environment: null unsets, which for a fresh exec means leaving it out. */
export function remoteEnvOf(meta: RuntimeMeta): Record<string, string> {
  return Object.fromEntries(Object.entries(meta.remoteEnv).filter((e): e is [string, string] => e[1] !== null));
}

/**
 * The reference CLI's `devcontainer.metadata` label: a JSON array of config entries, the image's
 * own (Features included) first, then the config's.
 */
export function referenceMetadata(r: ResolvedDevcontainer): string {
  const spec = (c?: LifecycleCommand) => {
    if (!c?.length) return undefined;
    if (c.length === 1 && !c[0]!.name) return c[0]!.shell ?? c[0]!.argv;
    return Object.fromEntries(c.map((x, i) => [x.name ?? String(i), x.shell ?? x.argv]));
  };
  const c = r.own ?? r.config;
  return JSON.stringify([...(r.metadata ?? []), {
    id: 'workbay', remoteUser: c.remoteUser, containerUser: c.containerUser, containerEnv: c.containerEnv,
    remoteEnv: c.remoteEnv, onCreateCommand: spec(c.onCreateCommand), updateContentCommand: spec(c.updateContentCommand),
    postCreateCommand: spec(c.postCreateCommand), postStartCommand: spec(c.postStartCommand),
    postAttachCommand: spec(c.postAttachCommand), forwardPorts: c.forwardPorts.length ? c.forwardPorts : undefined,
    customizations: Object.keys(c.customizations).length ? c.customizations : undefined,
  }]);
}
