import { Issues } from './issues';
import { isRecord } from './provider-keys';
import { normalizeLifecycle } from './devcontainer-parts';
import { LIFECYCLE_HOOKS, type DevcontainerConfig, type LifecycleCommand, type LifecycleHook } from './devcontainer-types';

/** A hook contributed by an image metadata entry or a Feature, run before the config's own. */
export interface ContributedHook {
  /** The entry's `id` (a Feature id) or `image.metadata[i]`. */
  origin: string;
  command: LifecycleCommand;
}

/** A devcontainer config with the image's `devcontainer.metadata` entries merged in. */
export interface MetadataMerge {
  config: DevcontainerConfig;
  /** Per hook, what the entries contribute, in entry order; the config's own hook stays in `config`. */
  contributed: Partial<Record<LifecycleHook, ContributedHook[]>>;
}

/**
 * Merges metadata entries (the image label's, Features' included, in order) under a parsed
 * devcontainer.json, with the spec's rules: remoteUser/containerUser and overrideCommand-like
 * scalars last wins (the config last); containerEnv/remoteEnv per variable, last wins; forwardPorts
 * unioned; lifecycle hooks collected in order, entries first. The security asks (privileged, capAdd,
 * securityOpt, mounts, init) are judged and merged by the policy (`metadataRequest`), not here.
 *
 * @param imageEnv the image's `Env`: a containerEnv an entry contributes is already baked into an
 *   image that carries it (Features write ENV lines), so the image's value is kept for those.
 */
export function mergeMetadata(config: DevcontainerConfig, entries: unknown[], imageEnv: Record<string, string> = {}): MetadataMerge {
  let remoteUser: string | undefined;
  let containerUser: string | undefined;
  const containerEnv: Record<string, string> = {};
  const remoteEnv: Record<string, string | null> = {};
  const ports = new Set<string>();
  const forwardPorts: (number | string)[] = [];
  const contributed: MetadataMerge['contributed'] = {};
  const warnings: string[] = [];
  entries.forEach((raw, i) => {
    if (!isRecord(raw)) return;
    const origin = typeof raw.id === 'string' && raw.id !== '' ? raw.id : `image.metadata[${i}]`;
    if (typeof raw.remoteUser === 'string') remoteUser = raw.remoteUser;
    if (typeof raw.containerUser === 'string') containerUser = raw.containerUser;
    for (const [k, v] of Object.entries(isRecord(raw.containerEnv) ? raw.containerEnv : {})) {
      if (typeof v === 'string' && !Object.hasOwn(imageEnv, k)) containerEnv[k] = v;
    }
    for (const [k, v] of Object.entries(isRecord(raw.remoteEnv) ? raw.remoteEnv : {})) {
      if (typeof v === 'string' || v === null) remoteEnv[k] = v;
    }
    for (const p of Array.isArray(raw.forwardPorts) ? raw.forwardPorts : []) {
      if ((typeof p === 'number' || typeof p === 'string') && !ports.has(String(p))) {
        ports.add(String(p));
        forwardPorts.push(p);
      }
    }
    for (const hook of LIFECYCLE_HOOKS) {
      const issues = new Issues();
      const command = normalizeLifecycle(raw[hook], `${origin}.${hook}`, issues);
      if (issues.errors.length) warnings.push(`${origin}: ${hook} in the image metadata is not a command and is ignored`);
      else if (command?.length) (contributed[hook] ??= []).push({ origin, command });
    }
    if (raw.entrypoint !== undefined) warnings.push(`${origin}: entrypoint ${JSON.stringify(raw.entrypoint)} is not run (workbay keeps its own keep-alive command)`);
  });
  for (const p of [...config.forwardPorts]) if (!ports.has(String(p))) forwardPorts.push(p);
  const merged: DevcontainerConfig = {
    ...config,
    containerEnv: { ...containerEnv, ...config.containerEnv },
    remoteEnv: { ...remoteEnv, ...config.remoteEnv },
    forwardPorts,
    warnings: [...config.warnings, ...warnings],
  };
  const user = config.remoteUser ?? remoteUser;
  const cUser = config.containerUser ?? containerUser;
  if (user !== undefined) merged.remoteUser = user;
  if (cUser !== undefined) merged.containerUser = cUser;
  return { config: merged, contributed };
}

/** `KEY=value` lines (an image's `Env`) as a map. */
export function envList(list: string[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of list ?? []) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}
