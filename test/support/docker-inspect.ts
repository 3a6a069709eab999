import Docker from 'dockerode';
import { inject } from 'vitest';

/** A dockerode client on the test engine, for tests to check what really exists. */
export function testDocker(host = inject('dockerHost')): Docker {
  return new Docker({ socketPath: new URL(host).pathname });
}

/** Containers and volumes labelled with a workspace id (what an orphan search would find). */
export async function objectsOf(docker: Docker, wsId: string): Promise<{ containers: Docker.ContainerInfo[]; volumes: string[] }> {
  const label = `workbay.dev/workspace-id=${wsId}`;
  const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
  const vols = await docker.listVolumes({ filters: { label: [label] } });
  return { containers, volumes: (vols.Volumes ?? []).map((v) => v.Name) };
}
