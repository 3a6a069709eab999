import type Docker from 'dockerode';
import { WorkbayError } from '../../../errors';
import type { ComposeProject } from '../../../compose/types';
import { LABELS, type DriverWorkspace } from '../../driver';
import { workspaceLabels } from '../container-spec';
import { engine, engineStatus, isMissing, translate } from '../errors';
import { removeVolume } from '../volumes';
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

/**
 * One network or volume of the project: an external one must exist; one that exists must be this
 * workspace's (adopted from an earlier attempt); else it is made with the project's labels.
 */
async function ensureObject(kind: Kind, key: string, name: string, def: { external: boolean; labels: Record<string, string> }, ws: DriverWorkspace, project: ComposeProject, ops: {
  inspect: () => Promise<{ Labels?: Record<string, string> | null }>;
  create: (labels: Record<string, string>) => Promise<unknown>;
}): Promise<void> {
  if (def.external) return assertExists(kind, key, name, ops.inspect);
  const found = await ops.inspect().catch((err) => (isMissing(err) ? undefined : Promise.reject(translate(err, `inspecting ${kind} ${name}`))));
  if (found) return assertOurs(kind, key, name, found.Labels ?? undefined, ws);
  await engine(`creating ${kind} ${name}`, () => ops.create(objectLabels(project.name, kind, key, { ...def.labels, ...workspaceLabels(ws) })));
}

/** Creates the project's networks and volumes that `keys` name (adopting this workspace's own); checks external ones. */
export async function ensureObjects(docker: Docker, ws: DriverWorkspace, project: ComposeProject, keys: { networks: Set<string>; volumes: Set<string> }): Promise<void> {
  for (const key of [...keys.networks].sort()) {
    const def = project.networks[key] ?? { external: false, internal: false, labels: {} };
    const name = objectNameOf(project.name, key, def);
    const net = docker.getNetwork(name);
    await ensureObject('network', key, name, def, ws, project, {
      inspect: () => net.inspect(),
      // CheckDuplicate answers 409 when a concurrent attempt made it first: that one is ours too.
      create: (Labels) => docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Internal: def.internal, Labels })
        .catch((err) => { if (engineStatus(err) !== 409) throw err; }),
    });
  }
  for (const key of [...keys.volumes].sort()) {
    const def = project.volumes[key] ?? { external: false, labels: {} };
    const name = objectNameOf(project.name, key, def);
    const vol = docker.getVolume(name);
    await ensureObject('volume', key, name, def, ws, project, { inspect: () => vol.inspect(), create: (Labels) => docker.createVolume({ Name: name, Labels }) });
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
  for (const v of volumes.filter((x) => x.Name !== keepVolume)) await removeVolume(docker, v.Name, `volume ${v.Name}`, timings);
  const images = await engine('listing images', () => docker.listImages({ filters: { label } }));
  for (const img of images) {
    for (const tag of img.RepoTags ?? []) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
  }
}
