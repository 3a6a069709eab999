import type Docker from 'dockerode';
import { WorkbayError } from '../../../errors';
import type { ComposeProject } from '../../../compose/types';
import { LABELS, type DriverWorkspace } from '../../driver';
import { workspaceLabels } from '../container-spec';
import { engine, engineStatus, isMissing, translate } from '../errors';
import { objectLabels, objectNameOf } from './labels';
import { DEFAULT_DRIVER_TIMINGS, type DriverTimings } from '../../timings';

type Kind = 'network' | 'volume';

/** An object that exists under a name the project wants must be this workspace's, or be declared external. */
function assertOurs(kind: Kind, key: string, name: string, labels: Record<string, string> | undefined, ws: DriverWorkspace): void {
  if (labels?.[LABELS.workspaceId] === ws.id) return;
  throw new WorkbayError('config.invalid', `the ${kind} "${name}" (${kind}s.${key}) already exists on the engine and is not this workspace's; declare it external: true to use it`, {
    errors: [{ field: `${kind}s.${key}`, message: `${name} exists and belongs to something else` }],
  });
}

/** Checks that an external object exists: Compose never creates those. */
async function assertExists(kind: Kind, key: string, name: string, inspect: () => Promise<unknown>): Promise<void> {
  try {
    await inspect();
  } catch (err) {
    if (!isMissing(err)) throw translate(err, `inspecting ${kind} ${name}`);
    throw new WorkbayError('config.invalid', `the external ${kind} "${name}" (${kind}s.${key}) does not exist on the engine`, {
      errors: [{ field: `${kind}s.${key}`, message: `create ${name} first, or drop external: true` }],
    });
  }
}

/** Creates the project's networks and volumes that `keys` name (adopting this workspace's own); checks external ones. */
export async function ensureObjects(docker: Docker, ws: DriverWorkspace, project: ComposeProject, keys: { networks: Set<string>; volumes: Set<string> }): Promise<void> {
  for (const key of [...keys.networks].sort()) {
    const def = project.networks[key] ?? { external: false, internal: false, labels: {} };
    const name = objectNameOf(project.name, key, def);
    const net = docker.getNetwork(name);
    if (def.external) {
      await assertExists('network', key, name, () => net.inspect());
      continue;
    }
    const found = await net.inspect().catch((err) => (isMissing(err) ? undefined : Promise.reject(translate(err, `inspecting network ${name}`))));
    if (found) {
      assertOurs('network', key, name, (found as { Labels?: Record<string, string> }).Labels, ws);
      continue;
    }
    await engine(`creating network ${name}`, () => docker.createNetwork({
      Name: name, Driver: 'bridge', CheckDuplicate: true, Internal: def.internal, Labels: objectLabels(project.name, 'network', key, { ...def.labels, ...workspaceLabels(ws) }),
    })).catch((err) => {
      if (engineStatus((err as WorkbayError).cause) !== 409) throw err;
    });
  }
  for (const key of [...keys.volumes].sort()) {
    const def = project.volumes[key] ?? { external: false, labels: {} };
    const name = objectNameOf(project.name, key, def);
    const vol = docker.getVolume(name);
    if (def.external) {
      await assertExists('volume', key, name, () => vol.inspect());
      continue;
    }
    const found = await vol.inspect().catch((err) => (isMissing(err) ? undefined : Promise.reject(translate(err, `inspecting volume ${name}`))));
    if (found) {
      assertOurs('volume', key, name, found.Labels ?? undefined, ws);
      continue;
    }
    await engine(`creating volume ${name}`, () => docker.createVolume({ Name: name, Labels: objectLabels(project.name, 'volume', key, { ...def.labels, ...workspaceLabels(ws) }) }));
  }
}

/**
 * Removes what delete must leave behind nothing of, besides containers and the workspace volume:
 * the project's networks and non-external volumes (anonymous ones included) and the images built
 * for its services, all found by the workspace label (external objects never carry it).
 */
export async function removeLabelled(docker: Docker, ws: DriverWorkspace, keepVolume: string, timings: Pick<DriverTimings, 'volumeRemoveRetries' | 'volumeRemoveDelayMs'> = DEFAULT_DRIVER_TIMINGS): Promise<void> {
  const label = [`${LABELS.workspaceId}=${ws.id}`];
  const networks = await engine('listing networks', () => docker.listNetworks({ filters: { label } }));
  for (const n of networks) {
    await docker.getNetwork(n.Id).remove().catch((err) => {
      if (!isMissing(err)) throw translate(err, `removing network ${n.Name}`);
    });
  }
  const volumes = (await engine('listing volumes', () => docker.listVolumes({ filters: { label } }))).Volumes ?? [];
  for (const v of volumes.filter((x) => x.Name !== keepVolume)) {
    for (let i = 0; ; i++) {
      try {
        await docker.getVolume(v.Name).remove();
        break;
      } catch (err) {
        if (isMissing(err)) break;
        // A volume stays "in use" for a moment while a container removal finishes.
        if (engineStatus(err) !== 409 || i >= timings.volumeRemoveRetries) throw translate(err, `removing volume ${v.Name}`);
        await new Promise((r) => setTimeout(r, timings.volumeRemoveDelayMs));
      }
    }
  }
  const images = await engine('listing images', () => docker.listImages({ filters: { label } }));
  for (const img of images) {
    for (const tag of img.RepoTags ?? []) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
  }
}
