import type Docker from 'dockerode';
import { assertAllowed, type Policy } from '../../../policy';
import { LABELS, objectName, type DriverWorkspace, type Progress } from '../../driver';
import { volumeBindsAsMounts } from '../podman';
import { engine, isMissing, translate } from '../errors';
import { judgeServices } from './judge';
import { COMPOSE, serviceMetaOf, type ServiceMeta } from './labels';
import { startOrder, type Orderable } from './order';
import { waitForCondition } from './wait';
import { DEFAULT_DRIVER_TIMINGS, type DriverTimings } from '../../timings';

/** A service container of a project as the engine lists it. */
interface Member { id: string; name: string; running: boolean; meta: ServiceMeta; info: Docker.ContainerInfo }

/** The project's service containers, by service name (the engine is the record: no compose files needed). */
async function members(docker: Docker, ws: DriverWorkspace, project: string): Promise<Map<string, Member>> {
  const list = await engine('listing the project\'s containers', () => docker.listContainers({
    all: true, filters: { label: [`${LABELS.workspaceId}=${ws.id}`, `${COMPOSE.project}=${project}`] },
  }));
  const out = new Map<string, Member>();
  for (const c of list) {
    const meta = serviceMetaOf(c.Labels);
    if (meta) out.set(meta.service, { id: c.Id, name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''), running: c.State === 'running', meta, info: c });
  }
  return out;
}

/** Start order of what exists, from the containers' own labels (`network_mode: service:x` read back from `container:<id>`). */
function orderOf(all: Map<string, Member>): string[] {
  const byId = new Map([...all.values()].map((m) => [m.id, m.meta.service]));
  const orderable: Record<string, Orderable> = {};
  for (const [name, m] of all) {
    const mode = m.info.HostConfig?.NetworkMode ?? '';
    const joined = mode.startsWith('container:') ? byId.get(mode.slice('container:'.length)) : undefined;
    orderable[name] = { dependsOn: m.meta.dependsOn, ...(joined ? { networkMode: `service:${joined}` } : {}) };
  }
  return startOrder(orderable, all.keys());
}

/** Names and ids of what the workspace owns on the engine: the policy does not judge those as asks. */
async function ownObjects(docker: Docker, ws: DriverWorkspace, all: Map<string, Member>): Promise<Set<string>> {
  const label = [`${LABELS.workspaceId}=${ws.id}`];
  const [nets, vols] = await Promise.all([
    engine('listing networks', () => docker.listNetworks({ filters: { label } })),
    engine('listing volumes', () => docker.listVolumes({ filters: { label } })),
  ]);
  return new Set([...nets.map((n) => n.Name), ...(vols.Volumes ?? []).map((v) => v.Name), ...[...all.values()].flatMap((m) => [m.id, m.name])]);
}

/**
 * Starts a project's services in dependency order, each after its dependencies meet their
 * conditions (healthy, completed); what runs already is left alone. Stopped containers are judged
 * by the policy as the engine holds them first, so a policy tightened since they were made holds.
 *
 * @throws WorkbayError `policy.denied` before anything starts; `driver.failed` naming a service
 *   that turned unhealthy, exited or did not get ready in time.
 */
export async function startProject(docker: Docker, ws: DriverWorkspace, project: string, policy: Policy, progress: Progress): Promise<void> {
  const all = await members(docker, ws, project);
  const order = orderOf(all);
  const stopped = [...all.values()].filter((m) => !m.running);
  if (stopped.length) {
    const own = await ownObjects(docker, ws, all);
    const judged = await Promise.all(stopped.map(async (m) => {
      const info = await engine(`inspecting ${m.name}`, () => docker.getContainer(m.id).inspect());
      return { service: m.meta.service, hostConfig: volumeBindsAsMounts(info.HostConfig) };
    }));
    assertAllowed(judgeServices(policy, judged, objectName(ws.id), own), 'the existing Docker Compose services');
  }
  for (const name of order) {
    const m = all.get(name)!;
    for (const [dep, d] of Object.entries(m.meta.dependsOn)) {
      const other = all.get(dep);
      if (!other) continue;
      if (d.condition !== 'service_started') progress({ step: 'start', message: `waiting for ${dep} (${d.condition.replace('service_', '').replace(/_/g, ' ')})` });
      try {
        await waitForCondition(docker, dep, other.id, d.condition);
      } catch (err) {
        if (d.required !== false) throw err;
        progress({ step: 'start', message: `${(err as Error).message.split('\n')[0]} (not required by ${name}; going on)` });
      }
    }
    if (m.running) continue;
    progress({ step: 'start', message: `starting service ${name}` });
    try {
      await docker.getContainer(m.id).start();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 304) throw translate(err, `starting service ${name}`);
    }
  }
}

/**
 * Stops a project: every service in reverse dependency order, or only the dev service when its
 * devcontainer.json says `shutdownAction: none`. Already stopped or gone is success.
 */
export async function stopProject(docker: Docker, ws: DriverWorkspace, project: string, timings: Pick<DriverTimings, 'stopGraceSeconds'> = DEFAULT_DRIVER_TIMINGS): Promise<void> {
  const all = await members(docker, ws, project);
  const dev = [...all.values()].find((m) => m.meta.dev);
  const order = orderOf(all).reverse().filter((n) => dev?.meta.dev?.shutdownAction !== 'none' || n === dev.meta.service);
  for (const name of order) {
    const m = all.get(name)!;
    if (!m.running) continue;
    try {
      await docker.getContainer(m.id).stop({ t: timings.stopGraceSeconds });
    } catch (err) {
      if (!isMissing(err) && (err as { statusCode?: number }).statusCode !== 304) throw translate(err, `stopping service ${name}`);
    }
  }
}
