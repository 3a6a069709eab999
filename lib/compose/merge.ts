import type { MountEntry, RawResource, RawService } from './raw';

const union = (a: string[] | undefined, b: string[]): string[] => [...new Set([...(a ?? []), ...b])];

/**
 * Merges a later file's service over an earlier one, per the Compose specification's merge rules:
 * mappings (environment, labels, build args, depends_on, networks, healthcheck) merge key by key,
 * volumes merge by container path, sets of values (cap_add, ports, …) are unioned, and single
 * values as well as `command`, `entrypoint` and `healthcheck.test` are replaced.
 */
export function mergeService(base: RawService, over: RawService): RawService {
  const out: RawService = { ...base };
  for (const key of ['image', 'command', 'entrypoint', 'workingDir', 'user', 'privileged', 'init', 'tty', 'stdinOpen', 'networkMode'] as const) {
    if (over[key] !== undefined) (out as Record<string, unknown>)[key] = over[key];
  }
  if (over.build) {
    out.build = { ...base.build, ...over.build, args: { ...base.build?.args, ...over.build.args } };
  }
  if (over.environment) out.environment = { ...base.environment, ...over.environment };
  if (over.labels) out.labels = { ...base.labels, ...over.labels };
  if (over.dependsOn) out.dependsOn = { ...base.dependsOn, ...over.dependsOn };
  if (over.networks) out.networks = { ...base.networks, ...over.networks };
  if (over.healthcheck) out.healthcheck = { ...base.healthcheck, ...over.healthcheck };
  if (over.envFile) {
    const seen = new Set((base.envFile ?? []).map((e) => e.path));
    out.envFile = [...(base.envFile ?? []), ...over.envFile.filter((e) => !seen.has(e.path))];
  }
  for (const key of ['capAdd', 'capDrop', 'securityOpt', 'ports'] as const) {
    if (over[key]) out[key] = union(base[key], over[key]);
  }
  if (over.volumes) out.volumes = mergeVolumes(base.volumes ?? [], over.volumes);
  return out;
}

/** The later file's mount for a container path replaces the earlier one, in the earlier one's place. */
function mergeVolumes(base: MountEntry[], over: MountEntry[]): MountEntry[] {
  const byTarget = new Map<string, MountEntry>();
  for (const e of base) byTarget.set(e.mount.target, e);
  for (const e of over) {
    byTarget.delete(e.mount.target);
    byTarget.set(e.mount.target, e);
  }
  // Keep the earlier order for replaced entries, new ones after them, as Compose lists them.
  const order = [...base.map((e) => e.mount.target), ...over.map((e) => e.mount.target)];
  return [...new Set(order)].map((t) => byTarget.get(t)!);
}

/** A later file's top-level volume or network merges over the earlier one key by key. */
export function mergeResource(base: RawResource | undefined, over: RawResource): RawResource {
  return { ...base, ...over, labels: { ...base?.labels, ...over.labels } };
}
