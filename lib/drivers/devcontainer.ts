import { parse as parseJsonc } from 'jsonc-parser';
import { parseDevcontainer, substituteDevcontainerVariables, type DevcontainerConfig, type LifecycleCommand } from '../config';
import type { DriverWorkspace } from './driver';

/** The devcontainer config a driver runs, with variables substituted and the workspace folder decided. */
export interface ResolvedDevcontainer {
  config: DevcontainerConfig;
  workspaceFolder: string;
  /** Directory of devcontainer.json relative to the source root (build paths are relative to it). */
  configDir: string;
  /** User for lifecycle commands and exec: remoteUser, else containerUser, else the image's. */
  user?: string;
}

/**
 * Resolves the devcontainer.json of a workspace. An image source without a devcontainer.json (or one
 * that names neither image nor build) runs that image, as `devpod up <image>` does.
 */
export function resolveDevcontainer(ws: DriverWorkspace, text: string | undefined, configDir = '.devcontainer'): ResolvedDevcontainer {
  let doc = text;
  if ('image' in ws.source) {
    const obj = (doc ? parseJsonc(doc) : {}) as Record<string, unknown> | undefined;
    if (obj && typeof obj === 'object' && !obj.image && !obj.build && !obj.dockerFile) {
      doc = JSON.stringify({ ...obj, image: ws.source.image });
    }
  }
  const parsed = parseDevcontainer(doc ?? '{}', 'devcontainer.json');
  const workspaceFolder = parsed.workspaceFolder ?? `/workspaces/${ws.name}`;
  const config = substituteDevcontainerVariables(parsed, { containerWorkspaceFolder: workspaceFolder, devcontainerId: ws.id, env: ws.env });
  return { config, workspaceFolder: config.workspaceFolder ?? workspaceFolder, configDir, user: config.remoteUser ?? config.containerUser };
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
  ports: (number | string)[];
}

export function runtimeMeta(r: ResolvedDevcontainer): RuntimeMeta {
  return {
    workspaceFolder: r.workspaceFolder, overrideCommand: r.config.overrideCommand, user: r.user, remoteEnv: r.config.remoteEnv,
    onCreateCommand: r.config.onCreateCommand, updateContentCommand: r.config.updateContentCommand,
    postCreateCommand: r.config.postCreateCommand, postStartCommand: r.config.postStartCommand, ports: [...r.config.forwardPorts, ...r.config.appPort],
  };
}

/** remoteEnv as exec environment: null unsets, which for a fresh exec means leaving it out. */
export function remoteEnvOf(meta: RuntimeMeta): Record<string, string> {
  return Object.fromEntries(Object.entries(meta.remoteEnv).filter((e): e is [string, string] => e[1] !== null));
}

/** The reference CLI's `devcontainer.metadata` label: a JSON array of config entries. */
export function referenceMetadata(r: ResolvedDevcontainer): string {
  const spec = (c?: LifecycleCommand) => {
    if (!c?.length) return undefined;
    if (c.length === 1 && !c[0]!.name) return c[0]!.shell ?? c[0]!.argv;
    return Object.fromEntries(c.map((x, i) => [x.name ?? String(i), x.shell ?? x.argv]));
  };
  const c = r.config;
  return JSON.stringify([{
    id: 'workbay', remoteUser: c.remoteUser, containerUser: c.containerUser, containerEnv: c.containerEnv,
    remoteEnv: c.remoteEnv, onCreateCommand: spec(c.onCreateCommand), updateContentCommand: spec(c.updateContentCommand),
    postCreateCommand: spec(c.postCreateCommand), postStartCommand: spec(c.postStartCommand),
    postAttachCommand: spec(c.postAttachCommand), forwardPorts: c.forwardPorts.length ? c.forwardPorts : undefined,
  }]);
}
