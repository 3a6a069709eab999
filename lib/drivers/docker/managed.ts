import type Docker from 'dockerode';
import { LABELS, type ManagedObject } from '../driver';
import { engine } from './errors';

/** Containers and volumes this control plane labelled, as workspace ids with their creation times. */
export async function listManagedDocker(docker: Docker, instance: string): Promise<ManagedObject[]> {
  const label = [`${LABELS.managedBy}=workbay`, `${LABELS.instance}=${instance}`];
  const [containers, volumes] = await Promise.all([
    engine('listing containers', () => docker.listContainers({ all: true, filters: { label } })),
    engine('listing volumes', () => docker.listVolumes({ filters: { label } })),
  ]);
  const out: ManagedObject[] = [];
  for (const c of containers) {
    const id = c.Labels?.[LABELS.workspaceId];
    if (id) out.push({ workspaceId: id, kind: 'container', name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''), createdAt: new Date(c.Created * 1000) });
  }
  for (const v of volumes.Volumes ?? []) {
    const id = v.Labels?.[LABELS.workspaceId];
    const created = (v as { CreatedAt?: string }).CreatedAt;
    if (id) out.push({ workspaceId: id, kind: 'volume', name: v.Name, ...(created ? { createdAt: new Date(created) } : {}) });
  }
  return out;
}
