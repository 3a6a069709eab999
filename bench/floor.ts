/**
 * The engine floor: what one workspace costs with no control plane at all — dockerode creating a
 * volume, a container with the same env and network, starting it and running the hook as one exec.
 * workbay's figures are printed as ratios to this, measured in the same run on the same engine.
 */
import Docker from 'dockerode';

const IMAGE = 'workbay-test/busybox:local';

/** One floor run: volume + create + start + one exec, then removal (not timed). Returns its milliseconds. */
export async function floorUp(docker: Docker, name: string): Promise<number> {
  const t = performance.now();
  await docker.createVolume({ Name: name });
  const c = await docker.createContainer({
    name, Image: IMAGE, Cmd: ['sleep', 'infinity'], Env: ['GREETING=hello'],
    HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: name, Target: '/workspaces/bench' }] },
  });
  await c.start();
  const exec = await c.exec({ Cmd: ['sh', '-c', 'echo created >> /tmp/post-create.log'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await new Promise<void>((resolve, reject) => { stream.on('end', () => resolve()); stream.on('error', reject); stream.resume(); });
  const elapsed = performance.now() - t;
  await c.remove({ force: true });
  await docker.getVolume(name).remove().catch(() => undefined);
  return elapsed;
}

/** A dockerode client on a `unix://` DOCKER_HOST. */
export function dockerAt(host: string): Docker {
  return new Docker({ socketPath: new URL(host).pathname });
}
